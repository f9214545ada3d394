#include "engine/monitor_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/file.hpp"
#include "base/pidfd.hpp"
#include "base/strings.hpp"
#include "base/unix_socket.hpp"
#include "monitor/exit_record.hpp"
#include "monitor/monitor_config.hpp"
#include "monitor/protocol.hpp"

extern char** environ;

namespace berth::engine {
namespace {

// How long a monitor may take to create the container (hooks included).
constexpr int kCreateTimeoutMs = 120'000;
constexpr int kRequestTimeoutMs = 30'000;

// One '\n'-terminated line; EOF first is an error naming `what`.
Result<std::string> read_line(int fd, int timeout_ms, const char* what) {
    std::string line;
    char c;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail(std::string("poll ") + what);
        if (n == 0) return fail(std::string(what) + ": no answer");
        ssize_t r = ::read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return sys_fail(std::string("read ") + what);
        if (r == 0) return fail(std::string(what) + ": the monitor closed the connection");
        if (c == '\n') return line;
        line.push_back(c);
    }
}

// Parses an answer; {"error", "kind"} becomes the Error it describes.
Result<Json> parse_answer(const std::string& line, const char* what) {
    auto j = BERTH_TRY(parse_json(line, what));
    if (j.is_object() && j.contains("error")) {
        Error e{0, j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump()};
        if (j.contains("kind") && j["kind"].is_string())
            e.kind = monitor::error_kind_from_name(j["kind"].get<std::string>());
        return std::unexpected(std::move(e));
    }
    return j;
}

Result<UniqueFd> connect_monitor(const std::string& state_dir, const Json& request) {
    auto sock = BERTH_TRY(connect_unix(path_join(state_dir, monitor::kSocketFile)));
    BERTH_TRYV(write_all(sock.get(), dump_compact(request) + "\n"));
    return sock;
}

Result<Json> ask(const std::string& state_dir, const Json& request) {
    auto sock = BERTH_TRY(connect_monitor(state_dir, request));
    auto line = BERTH_TRY(read_line(sock.get(), kRequestTimeoutMs, "monitor"));
    return parse_answer(line, "monitor answer");
}

int as_int(const Json& j, const char* key) {
    return j.contains(key) && j[key].is_number_integer() ? j[key].get<int>() : 0;
}

}  // namespace

MonitorProcess::~MonitorProcess() {
    if (pid_ <= 0 || started_) return;
    // Not started: closing sync makes the monitor delete the container and exit.
    sync_.reset();
    if (pidfd_) (void)pidfd_wait_exit(pidfd_.get(), 10'000);
    reap_monitor(pid_);
}

Result<void> MonitorProcess::start() {
    if (!sync_) return fail("monitor: start called twice");
    BERTH_TRYV(write_all(sync_.get(), "start\n"));
    auto line = read_line(sync_.get(), kCreateTimeoutMs, "monitor start");
    sync_.reset();
    if (!line) return std::unexpected(std::move(line.error()));
    BERTH_TRY(parse_answer(*line, "monitor start"));
    started_ = true;
    return {};
}

Result<MonitorProcess> spawn_monitor(const std::string& monitor_binary, const MonitorSpec& spec) {
    monitor::MonitorConfig c;
    c.id = spec.id;
    c.bundle = spec.bundle;
    c.runtime_root = spec.runtime_root;
    c.tty = spec.tty;
    c.open_stdin = spec.open_stdin;
    c.stdin_once = spec.stdin_once;
    if (spec.log) c.log = monitor::LogConfig{spec.log->path, {spec.log->max_size, spec.log->max_file}};
    BERTH_TRYV(write_file_atomic(path_join(spec.state_dir, monitor::kConfigFile),
                                 dump_compact(monitor::monitor_config_json(c)), 0600,
                                 Durability::until_reboot));
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return sys_fail("socketpair");
    UniqueFd ours(sv[0]), theirs(sv[1]);
    std::string log_path = path_join(spec.state_dir, "monitor.log");

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), 3);
    // Other threads may have made fds without O_CLOEXEC: none of them goes along.
    posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::string dir = spec.state_dir;
    char* argv[] = {const_cast<char*>(monitor_binary.c_str()), dir.data(), nullptr};
    pid_t pid = 0;
    int err = ::posix_spawn(&pid, monitor_binary.c_str(), &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (err != 0) return sys_fail("spawn " + monitor_binary, err);
    theirs.reset();

    auto pidfd = pidfd_open(pid);
    MonitorProcess m(pid, pidfd ? std::move(*pidfd) : UniqueFd(), std::move(ours));
    auto line = read_line(m.sync_.get(), kCreateTimeoutMs, "monitor create");
    if (!line) return std::unexpected(std::move(line.error()));
    auto answer = parse_answer(*line, "monitor create");
    if (!answer) {
        m.sync_.reset();  // the monitor has cleaned up and exits
        return std::unexpected(std::move(answer.error()));
    }
    m.container_pid_ = as_int(*answer, "pid");
    return m;
}

bool reap_monitor(pid_t pid) {
    siginfo_t si{};
    for (;;) {
        if (::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOHANG) == 0)
            return si.si_pid == pid;
        if (errno != EINTR) return errno == ECHILD;
    }
}

Result<UniqueFd> monitor_attach(const std::string& state_dir, bool in, bool out, bool err) {
    return connect_monitor(state_dir,
                           Json{{"attach", {{"stdin", in}, {"stdout", out}, {"stderr", err}}}});
}

Result<void> monitor_resize(const std::string& state_dir, int height, int width) {
    BERTH_TRY(ask(state_dir, Json{{"resize", {{"height", height}, {"width", width}}}}));
    return {};
}

Result<ExecStream> monitor_exec(const std::string& state_dir, const ExecRequest& req) {
    auto sock = BERTH_TRY(connect_monitor(
        state_dir,
        Json{{"exec", {{"process", req.process}, {"tty", req.tty}, {"stdin", req.stdin}}}}));
    auto line = BERTH_TRY(read_line(sock.get(), kRequestTimeoutMs, "monitor exec"));
    auto answer = BERTH_TRY(parse_answer(line, "monitor exec"));
    return ExecStream{std::move(sock), as_int(answer, "pid")};
}

Result<void> monitor_exec_resize(const std::string& state_dir, pid_t pid, int h, int w) {
    BERTH_TRY(ask(state_dir, Json{{"exec_resize", {{"pid", pid}, {"height", h}, {"width", w}}}}));
    return {};
}

Result<std::optional<ExitRecord>> read_exit_record(const std::string& state_dir) {
    std::string path = path_join(state_dir, monitor::kExitFile);
    auto text = read_file(path);
    if (!text) {
        if (text.error().sys_errno == ENOENT) return std::optional<ExitRecord>{};
        return std::unexpected(std::move(text.error()));
    }
    auto j = BERTH_TRY(parse_json(*text, path));
    auto s = BERTH_TRY(monitor::parse_exit_status(j));
    return std::optional<ExitRecord>{ExitRecord{s.exit_code, s.signal, s.oom_killed, s.finished_at}};
}

bool monitor_alive(const std::string& state_dir) {
    auto j = ask(state_dir, Json{{"state", Json::object()}});
    return j.has_value();
}

Result<std::string> find_helper_binary(const std::string& name, const char* env_override) {
    if (env_override) {
        if (const char* v = std::getenv(env_override); v && *v) return std::string(v);
    }
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto candidate = self.parent_path() / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    const char* path = std::getenv("PATH");
    for (auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
        if (dir.empty()) continue;
        std::string candidate = path_join(dir, name);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return fail_as(ErrorKind::not_found, name + ": not found next to this program nor on $PATH");
}

}  // namespace berth::engine

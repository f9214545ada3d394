#include "monitor/monitor.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/file.hpp"
#include "base/json.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "base/unix_socket.hpp"
#include "monitor/exit_record.hpp"
#include "monitor/io_sinks.hpp"
#include "monitor/json_log_writer.hpp"
#include "monitor/monitor_config.hpp"
#include "monitor/process_stdio.hpp"
#include "monitor/protocol.hpp"
#include "oci/config_parse.hpp"
#include "runtime/container.hpp"

namespace berth::monitor {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// After a process died, its output is drained until EOF or until it has been
// quiet this long (a background process may hold the pipe open for ever) ...
constexpr milliseconds kQuietAfterExit{100};
// ... and never longer than this.
constexpr milliseconds kMaxDrainAfterExit{2000};
// A client that falls this far behind is dropped rather than block the container.
constexpr std::size_t kMaxClientBacklog = 1 << 20;
constexpr std::size_t kMaxRequestLine = 1 << 20;
// How long the last output may take to reach the clients at exit.
constexpr milliseconds kFinalFlush{1000};

std::int64_t unix_now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The runtime reports a missing program only in words (it comes back through
// the exec fifo or the exec error pipe); Docker answers it as "not found".
Error classify_start_error(Error e) {
    std::string lower = e.message;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower.find("executable file not found") != std::string::npos ||
        (lower.find("exec: \"") != std::string::npos &&
         lower.find("no such file or directory") != std::string::npos))
        e.kind = ErrorKind::not_found;
    return e;
}

struct Output {
    UniqueFd fd;
    Stream stream = Stream::stdout_;
};

// One process's I/O as the monitor holds it: the init's or an exec's.
struct ProcessIo {
    std::vector<Output> outputs;
    StdinSink stdin_sink;
    int master = -1;  // tty: the pty master (owned by outputs[0])
    bool exited = false;
    int wstatus = 0;
    Clock::time_point last_activity;
    Clock::time_point died_at;

    static ProcessIo from(StdioEnds ends) {
        ProcessIo io;
        if (ends.master) {
            io.master = ends.master.get();
            io.stdin_sink.set_borrowed(io.master);
            io.outputs.push_back({std::move(ends.master), Stream::stdout_});
        } else {
            io.stdin_sink.set_pipe(std::move(ends.stdin_w));
            io.outputs.push_back({std::move(ends.stdout_r), Stream::stdout_});
            io.outputs.push_back({std::move(ends.stderr_r), Stream::stderr_});
        }
        return io;
    }
    void mark_exited(int status) {
        exited = true;
        wstatus = status;
        died_at = last_activity = Clock::now();
    }
    // Dead and its output drained (or given up on).
    bool finished() const {
        if (!exited) return false;
        auto now = Clock::now();
        return outputs.empty() || now - last_activity >= kQuietAfterExit ||
               now - died_at >= kMaxDrainAfterExit;
    }
    std::optional<Clock::time_point> deadline() const {
        if (!exited || outputs.empty()) return std::nullopt;
        return std::min(last_activity + kQuietAfterExit, died_at + kMaxDrainAfterExit);
    }
    void close_output(int fd) {
        std::erase_if(outputs, [&](const Output& o) { return o.fd.get() == fd; });
        if (fd == master) {
            master = -1;
            stdin_sink.drop();
        }
    }
};

struct Client {
    enum class Kind { request, attach, exec, reply };
    UniqueFd fd;
    Kind kind = Kind::request;
    std::string in;
    std::string out;
    bool want_stdin = false, want_stdout = false, want_stderr = false;
    bool read_done = false;
    bool dead = false;
    bool close_after_flush = false;
    pid_t exec_pid = 0;
};

struct ExecSession {
    ProcessIo io;
    int client_id = -1;  // -1 once the client went away
};

enum class Source { sync, listener, signals, output, stdin_sink, client };
struct Watch {
    Source source;
    int id = 0;      // client id, or exec pid (0: the init) for output/stdin
    int fd_key = 0;  // the output fd
};

class Monitor {
  public:
    Monitor(std::string state_dir, MonitorConfig config, UniqueFd sync)
        : state_dir_(std::move(state_dir)), cfg_(std::move(config)), sync_(std::move(sync)) {}

    Result<void> set_up();
    void report_created() { sync_reply("{\"pid\":" + std::to_string(init_pid_) + "}\n"); }
    int run();

  private:
    Result<void> listen_socket();
    Result<void> create();
    void on_sync();
    void serve_pending_clients();
    void on_signals();
    void on_output(pid_t owner, int fd);
    void on_client(int id, short revents);
    void on_request(Client& c, int id);
    Result<std::string> handle_resize(const Json& j, bool exec);
    Result<pid_t> handle_exec(const Json& j, int client_id);
    void container_output(Stream s, std::string_view data);
    void queue(Client& c, Stream s, std::string_view data);
    void finish_exec_sessions();
    void finish_container();
    void flush_clients_until(Clock::time_point deadline);
    int poll_timeout() const;
    ProcessIo* io_of(pid_t owner);
    void sync_reply(const std::string& line);
    void remove_socket();

    std::string state_dir_;
    MonitorConfig cfg_;
    UniqueFd sync_;
    UniqueFd listener_;
    UniqueFd signals_;
    std::optional<JsonLogWriter> log_;
    bool log_failed_ = false;
    pid_t init_pid_ = 0;
    std::string init_finished_at_;
    bool started_ = false;
    bool stop_ = false;
    int exit_code_ = 0;
    ProcessIo init_;
    std::map<int, Client> clients_;
    int next_client_ = 1;
    std::map<pid_t, ExecSession> execs_;
};

std::string socket_path(const std::string& dir) {
    return path_join(dir, kSocketFile);
}

Result<void> Monitor::listen_socket() {
    listener_ = BERTH_TRY(listen_unix(socket_path(state_dir_), 64, SOCK_NONBLOCK));
    return {};
}

Result<void> Monitor::set_up() {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    if (::sigprocmask(SIG_BLOCK, &chld, nullptr) != 0) return sys_fail("sigprocmask");
    signals_ = UniqueFd(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signals_) return sys_fail("signalfd");
    BERTH_TRYV(listen_socket());
    if (cfg_.log)
        log_ = BERTH_TRY(with_context(JsonLogWriter::open(cfg_.log->path, cfg_.log->limits),
                                      "open the container log"));
    return create();
}

Result<void> Monitor::create() {
    auto stdio = BERTH_TRY(ChildStdio::make({cfg_.tty, cfg_.open_stdin}));
    runtime::CreateOptions o;
    o.id = cfg_.id;
    o.bundle = cfg_.bundle;
    o.console_fd = stdio.console_fd();
    BERTH_TRYV(stdio.install());
    auto pid = runtime::create_container(cfg_.runtime_root, o);
    stdio.restore();
    if (!pid) return std::unexpected(classify_start_error(std::move(pid.error())));
    init_pid_ = *pid;
    auto ends = stdio.finish();
    if (!ends) {
        (void)runtime::delete_container(cfg_.runtime_root, cfg_.id, true);
        while (::waitpid(init_pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        return std::unexpected(std::move(ends.error()));
    }
    init_ = ProcessIo::from(std::move(*ends));
    return {};
}

void Monitor::sync_reply(const std::string& line) {
    if (sync_) (void)write_all(sync_.get(), line);
}

void Monitor::remove_socket() {
    ::unlink(socket_path(state_dir_).c_str());
}

// Connections made before `start` (a `docker run` attaches first) are set up
// before the container can write anything, so they see all of its output.
void Monitor::serve_pending_clients() {
    for (;;) {
        int before = next_client_;
        pollfd p{listener_.get(), POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) break;
        on_client(0, 0);  // id 0: accept
        if (next_client_ == before) break;
    }
    for (auto& [id, c] : clients_)
        if (c.kind == Client::Kind::request) on_client(id, POLLIN);
}

void Monitor::on_sync() {
    char buf[64];
    ssize_t n;
    do {
        n = ::read(sync_.get(), buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    std::string_view got(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (got.starts_with("start")) {
        serve_pending_clients();
        auto r = runtime::start_container(cfg_.runtime_root, cfg_.id);
        if (r) {
            started_ = true;
            sync_reply("{\"started\":true}\n");
            // Creating the container parsed the host's mountinfo (large on a busy
            // host: a line per container) and maybe compiled seccomp; the monitor
            // then idles for the container's life, so give that heap back.
            ::malloc_trim(0);
        } else {
            // The init is gone (it reported why): the exit path records and cleans.
            sync_reply(error_line(classify_start_error(std::move(r.error()))));
        }
        sync_.reset();
        return;
    }
    // EOF (or anything else): the spawner gave up on this container.
    sync_.reset();
    (void)runtime::delete_container(cfg_.runtime_root, cfg_.id, true);
    while (::waitpid(init_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    stop_ = true;
}

void Monitor::on_signals() {
    signalfd_siginfo si;
    while (::read(signals_.get(), &si, sizeof si) == sizeof si) {
    }
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR) continue;
        if (pid <= 0) break;
        if (pid == init_pid_) {
            init_.mark_exited(status);
            init_finished_at_ = rfc3339_now();
        }
        else if (auto it = execs_.find(pid); it != execs_.end())
            it->second.io.mark_exited(status);
    }
}

ProcessIo* Monitor::io_of(pid_t owner) {
    if (owner == 0) return &init_;
    auto it = execs_.find(owner);
    return it == execs_.end() ? nullptr : &it->second.io;
}

void Monitor::on_output(pid_t owner, int fd) {
    ProcessIo* io = io_of(owner);
    if (!io) return;
    auto it = std::find_if(io->outputs.begin(), io->outputs.end(),
                           [&](const Output& o) { return o.fd.get() == fd; });
    if (it == io->outputs.end()) return;
    Stream stream = it->stream;
    static char buf[16 * 1024];
    ssize_t n;
    do {
        n = ::read(fd, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EOF, or EIO from a pty master whose slave is closed everywhere
        io->close_output(fd);
        return;
    }
    io->last_activity = Clock::now();
    std::string_view data(buf, static_cast<std::size_t>(n));
    if (owner == 0) {
        container_output(stream, data);
        return;
    }
    auto& session = execs_.at(owner);
    if (auto c = clients_.find(session.client_id); c != clients_.end())
        queue(c->second, stream, data);
}

void Monitor::container_output(Stream s, std::string_view data) {
    if (log_) {
        if (auto r = log_->write(s == Stream::stderr_, data, unix_now_ns()); !r && !log_failed_) {
            log::error("container " + cfg_.id + ": " + r.error().message);
            log_failed_ = true;
        }
    }
    for (auto& [id, c] : clients_) {
        if (c.kind != Client::Kind::attach) continue;
        if (s == Stream::stdout_ ? c.want_stdout : c.want_stderr) queue(c, s, data);
    }
}

void Monitor::queue(Client& c, Stream s, std::string_view data) {
    if (c.dead) return;
    append_frame(c.out, s, data);
    if (!send_pending(c.fd.get(), c.out) || c.out.size() > kMaxClientBacklog) c.dead = true;
}

void Monitor::on_client(int id, short revents) {
    if (id == 0) {  // the listener
        for (;;) {
            int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0 && errno == EINTR) continue;
            if (fd < 0) return;
            clients_[next_client_++].fd = UniqueFd(fd);
        }
    }
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    Client& c = it->second;
    if (revents & POLLOUT) {
        if (!send_pending(c.fd.get(), c.out)) c.dead = true;
    }
    if (c.dead) return;
    if (revents & POLLIN) {
        static char buf[16 * 1024];
        ssize_t n;
        do {
            n = ::recv(c.fd.get(), buf, sizeof buf, 0);
        } while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN) return;
        std::string_view data(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
        StdinSink* sink = nullptr;
        if (c.kind == Client::Kind::attach && c.want_stdin) sink = &init_.stdin_sink;
        if (c.kind == Client::Kind::exec)
            if (auto* io = io_of(c.exec_pid)) sink = &io->stdin_sink;
        if (n <= 0) {
            if (n < 0 || c.kind == Client::Kind::request) {
                c.dead = true;
                return;
            }
            c.read_done = true;
            bool closes_stdin = c.kind == Client::Kind::exec ||
                                (c.kind == Client::Kind::attach && cfg_.stdin_once);
            if (sink && closes_stdin) sink->close_when_flushed();
            return;
        }
        if (c.kind == Client::Kind::request) {
            c.in.append(data);
            if (c.in.find('\n') != std::string::npos)
                on_request(c, id);
            else if (c.in.size() > kMaxRequestLine)
                c.dead = true;
            return;
        }
        if (sink) sink->push(data);
    }
    if (revents & (POLLHUP | POLLERR)) c.dead = true;
}

void Monitor::on_request(Client& c, int id) {
    auto nl = c.in.find('\n');
    std::string rest = c.in.substr(nl + 1);
    auto parsed = parse_json(std::string_view(c.in).substr(0, nl), "request");
    c.in.clear();
    c.in.shrink_to_fit();
    auto reply = [&](const std::string& line) {
        c.kind = Client::Kind::reply;
        c.close_after_flush = true;
        c.out += line;
        if (!send_pending(c.fd.get(), c.out)) c.dead = true;
    };
    if (!parsed || !parsed->is_object() || parsed->size() != 1) {
        reply(error_line(Error{0, "bad request: want one JSON object with one key",
                               ErrorKind::invalid_argument}));
        return;
    }
    // Not a structured binding over items(): its proxy is a temporary.
    const auto first = parsed->begin();
    const std::string verb = first.key();
    const Json& arg = first.value();
    try {
        if (verb == "attach") {
            c.kind = Client::Kind::attach;
            c.want_stdin = arg.value("stdin", false) && cfg_.open_stdin;
            c.want_stdout = arg.value("stdout", false);
            c.want_stderr = arg.value("stderr", false);
            if (c.want_stdin && !rest.empty()) init_.stdin_sink.push(rest);
            return;
        }
        if (verb == "state") {
            reply(dump_compact(Json{{"pid", init_pid_},
                                    {"status", init_.exited ? "exited" : "running"}}) +
                  "\n");
            return;
        }
        if (verb == "resize" || verb == "exec_resize") {
            auto r = handle_resize(arg, verb == "exec_resize");
            reply(r ? *r : error_line(r.error()));
            return;
        }
        if (verb == "exec") {
            auto pid = handle_exec(arg, id);
            if (!pid) {
                reply(error_line(pid.error()));
                return;
            }
            c.kind = Client::Kind::exec;
            c.exec_pid = *pid;
            c.out += dump_compact(Json{{"pid", *pid}}) + "\n";
            if (!send_pending(c.fd.get(), c.out)) c.dead = true;
            if (!rest.empty()) execs_.at(*pid).io.stdin_sink.push(rest);
            return;
        }
    } catch (const Json::exception& e) {
        reply(error_line(Error{0, std::string("bad request: ") + e.what(),
                               ErrorKind::invalid_argument}));
        return;
    }
    reply(error_line(Error{0, "unknown request \"" + verb + "\"", ErrorKind::invalid_argument}));
}

Result<std::string> Monitor::handle_resize(const Json& j, bool exec) {
    int master = init_.master;
    if (exec) {
        auto it = execs_.find(j.at("pid").get<pid_t>());
        if (it == execs_.end())
            return fail_as(ErrorKind::not_found, "no exec process " + j.at("pid").dump());
        master = it->second.io.master;
    }
    if (master < 0) return fail_as(ErrorKind::conflict, "the process has no terminal");
    winsize ws{};
    ws.ws_row = j.at("height").get<unsigned short>();
    ws.ws_col = j.at("width").get<unsigned short>();
    if (::ioctl(master, TIOCSWINSZ, &ws) != 0) return sys_fail("resize the terminal");
    return std::string("{\"ok\":true}\n");
}

Result<pid_t> Monitor::handle_exec(const Json& j, int client_id) {
    if (!started_ || init_.exited) return fail_as(ErrorKind::conflict, "the container is not running");
    auto process = oci::parse_process(j.at("process"));
    if (!process) {
        auto e = std::move(process.error()).context("exec: process");
        e.kind = ErrorKind::invalid_argument;
        return std::unexpected(std::move(e));
    }
    bool tty = j.value("tty", false);
    process->terminal = tty;
    auto stdio = BERTH_TRY(ChildStdio::make({tty, j.value("stdin", false)}));
    runtime::ExecOptions o;
    o.process = std::move(*process);
    o.console_fd = stdio.console_fd();
    BERTH_TRYV(stdio.install());
    auto pid = runtime::exec_in_container(cfg_.runtime_root, cfg_.id, o);
    stdio.restore();
    if (!pid) return std::unexpected(classify_start_error(std::move(pid.error())));
    auto ends = stdio.finish();
    if (!ends) {
        ::kill(*pid, SIGKILL);  // reaped by the loop
        return std::unexpected(std::move(ends.error()));
    }
    ExecSession s{ProcessIo::from(std::move(*ends)), client_id};
    execs_.emplace(*pid, std::move(s));
    return *pid;
}

// Sends each finished exec's exit frame and forgets it.
void Monitor::finish_exec_sessions() {
    for (auto it = execs_.begin(); it != execs_.end();) {
        if (!it->second.io.finished()) {
            ++it;
            continue;
        }
        if (auto c = clients_.find(it->second.client_id); c != clients_.end()) {
            int code = exit_status_from_wait(it->second.io.wstatus).exit_code;
            queue(c->second, Stream::exit, dump_compact(Json{{"exit_code", code}}));
            c->second.close_after_flush = true;
        }
        it = execs_.erase(it);
    }
}

void Monitor::flush_clients_until(Clock::time_point deadline) {
    for (;;) {
        std::vector<pollfd> fds;
        for (auto& [id, c] : clients_)
            if (!c.dead && !c.out.empty()) fds.push_back({c.fd.get(), POLLOUT, 0});
        auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
        if (fds.empty() || left <= 0) return;
        if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) return;
        for (auto& [id, c] : clients_)
            if (!c.dead && !c.out.empty() && !send_pending(c.fd.get(), c.out)) c.dead = true;
    }
}

void Monitor::finish_container() {
    if (log_) (void)log_->flush(unix_now_ns());
    ExitStatus st = exit_status_from_wait(init_.wstatus);
    st.oom_killed = cgroup_saw_oom_kill(cfg_.runtime_root, cfg_.id);
    st.finished_at = init_finished_at_;
    if (auto r = write_file_atomic(path_join(state_dir_, kExitFile),
                                   dump_compact(exit_status_json(st)) + "\n");
        !r) {
        log::error("container " + cfg_.id + ": " + r.error().message);
        exit_code_ = 1;
    }
    if (auto r = runtime::delete_container(cfg_.runtime_root, cfg_.id, true); !r) {
        log::error("container " + cfg_.id + ": " + r.error().message);
        exit_code_ = 1;
    }
    // Exec processes died with the container (its cgroup was emptied).
    for (auto& [pid, s] : execs_) {
        if (s.io.exited) continue;
        ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        s.io.mark_exited(status);
        s.io.outputs.clear();
    }
    finish_exec_sessions();
    flush_clients_until(Clock::now() + kFinalFlush);
    clients_.clear();
    remove_socket();
    stop_ = true;
}

int Monitor::poll_timeout() const {
    std::optional<Clock::time_point> next = init_.deadline();
    for (auto& [pid, s] : execs_)
        if (auto d = s.io.deadline(); d && (!next || *d < *next)) next = d;
    if (!next) return -1;
    auto ms = std::chrono::duration_cast<milliseconds>(*next - Clock::now()).count() + 1;
    return static_cast<int>(std::max<long long>(ms, 0));
}

int Monitor::run() {
    std::vector<pollfd> fds;
    std::vector<Watch> watches;
    auto watch = [&](int fd, short events, Watch w) {
        fds.push_back({fd, events, 0});
        watches.push_back(w);
    };
    auto watch_io = [&](ProcessIo& io, pid_t owner) {
        for (auto& o : io.outputs) watch(o.fd.get(), POLLIN, {Source::output, owner, o.fd.get()});
        if (io.stdin_sink.wants_pollout())
            watch(io.stdin_sink.fd(), POLLOUT, {Source::stdin_sink, owner});
    };
    while (!stop_) {
        fds.clear();
        watches.clear();
        if (sync_) watch(sync_.get(), POLLIN, {Source::sync});
        watch(listener_.get(), POLLIN, {Source::listener});
        watch(signals_.get(), POLLIN, {Source::signals});
        watch_io(init_, 0);
        for (auto& [pid, s] : execs_) watch_io(s.io, pid);
        for (auto& [id, c] : clients_) {
            short ev = c.out.empty() ? 0 : POLLOUT;
            StdinSink* sink = c.kind == Client::Kind::attach && c.want_stdin ? &init_.stdin_sink
                              : c.kind == Client::Kind::exec && io_of(c.exec_pid)
                                  ? &io_of(c.exec_pid)->stdin_sink
                                  : nullptr;
            if (!c.read_done && (!sink || sink->has_room() || !sink->open())) ev |= POLLIN;
            watch(c.fd.get(), ev, {Source::client, id});
        }
        int n = ::poll(fds.data(), fds.size(), poll_timeout());
        if (n < 0 && errno != EINTR) {
            log::error(std::string("poll: ") + std::strerror(errno));
            return 1;
        }
        for (std::size_t i = 0; n > 0 && i < fds.size() && !stop_; ++i) {
            short rev = fds[i].revents;
            if (!rev) continue;
            const Watch& w = watches[i];
            switch (w.source) {
                case Source::sync: on_sync(); break;
                case Source::listener: on_client(0, 0); break;
                case Source::signals: on_signals(); break;
                case Source::output: on_output(w.id, w.fd_key); break;
                case Source::stdin_sink:
                    if (auto* io = io_of(w.id)) io->stdin_sink.flush();
                    break;
                case Source::client: on_client(w.id, rev); break;
            }
        }
        if (stop_) break;
        finish_exec_sessions();
        // A client whose exec session ended can't feed it any more.
        std::erase_if(clients_, [](const auto& kv) {
            const Client& c = kv.second;
            return c.dead || (c.close_after_flush && c.out.empty());
        });
        for (auto& [pid, s] : execs_)
            if (!clients_.contains(s.client_id) && s.client_id != -1) {
                s.client_id = -1;
                s.io.stdin_sink.close_when_flushed();
            }
        if (init_.finished() && !sync_) finish_container();
    }
    remove_socket();
    return exit_code_;
}

}  // namespace

int run_monitor(const std::string& state_dir, int sync_fd) {
    UniqueFd sync(sync_fd);
    ::fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
    auto fail_out = [&](const Error& e) {
        (void)write_all(sync_fd, error_line(e));
        log::error(e.message);
        return 1;
    };
    auto text = read_file(path_join(state_dir, kConfigFile));
    if (!text) return fail_out(text.error());
    auto json = parse_json(*text, kConfigFile);
    if (!json) return fail_out(json.error());
    auto cfg = parse_monitor_config(*json);
    if (!cfg) return fail_out(cfg.error());
    Monitor m(state_dir, std::move(*cfg), std::move(sync));
    if (auto r = m.set_up(); !r) {
        ::unlink(socket_path(state_dir).c_str());
        return fail_out(r.error());
    }
    m.report_created();
    return m.run();
}

}  // namespace berth::monitor

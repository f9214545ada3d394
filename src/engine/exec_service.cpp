#include "engine/exec_service.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/stdcopy.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"
#include "engine/daemon.hpp"
#include "engine/oci_spec_builder.hpp"
#include "oci/config_parse.hpp"

namespace berth::engine {

std::optional<int> parse_exit_frame(std::string_view payload) {
    auto j = parse_json(payload, "exit frame");
    if (!j || !j->is_object() || !j->contains("exit_code") || !(*j)["exit_code"].is_number_integer())
        return std::nullopt;
    return (*j)["exit_code"].get<int>();
}

namespace {

Result<ExecConfig> parse_exec_config(const Json& body) {
    ExecConfig c;
    try {
        if (body.contains("Cmd") && body["Cmd"].is_array()) c.cmd = body["Cmd"].get<std::vector<std::string>>();
        else if (body.contains("Cmd") && body["Cmd"].is_string()) c.cmd = {body["Cmd"].get<std::string>()};
        if (body.contains("Env") && body["Env"].is_array()) c.env = body["Env"].get<std::vector<std::string>>();
        auto str = [&](const char* k) {
            return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string();
        };
        auto flag = [&](const char* k) { return body.contains(k) && body[k].is_boolean() && body[k].get<bool>(); };
        c.user = str("User");
        c.working_dir = str("WorkingDir");
        c.detach_keys = str("DetachKeys");
        c.tty = flag("Tty");
        c.attach_stdin = flag("AttachStdin");
        c.attach_stdout = flag("AttachStdout");
        c.attach_stderr = flag("AttachStderr");
        c.privileged = flag("Privileged");
        if (body.contains("ConsoleSize") && body["ConsoleSize"].is_array() && body["ConsoleSize"].size() == 2)
            c.console_size = std::pair{body["ConsoleSize"][0].get<int>(), body["ConsoleSize"][1].get<int>()};
    } catch (const Json::exception& e) {
        return fail_as(ErrorKind::invalid_argument, cat("malformed exec config: ", e.what()));
    }
    if (c.cmd.empty() || c.cmd[0].empty()) return fail_as(ErrorKind::invalid_argument, "No exec command specified");
    if (!c.working_dir.empty() && c.working_dir[0] != '/')
        return fail_as(ErrorKind::invalid_argument,
                       cat("the working directory '", c.working_dir, "' is invalid, it needs to be an absolute path"));
    return c;
}

std::string env_key(const std::string& kv) { return kv.substr(0, kv.find('=')); }

std::string new_exec_id() { return new_container_id(); }

// Docker keeps at most this much of a healthcheck's output.
constexpr std::size_t kMaxProbeOutput = 4096;

}  // namespace

Result<std::string> ExecService::create(const std::string& container_ref, const Json& body) {
    auto cfg = BERTH_TRY(parse_exec_config(body));
    auto c = BERTH_TRY(d_.containers().get(container_ref));
    if (c.state.status == ContainerStatus::paused)
        return fail_as(ErrorKind::conflict, cat("Container ", c.id, " is paused, unpause the container before exec"));
    if (c.state.status != ContainerStatus::running)
        return fail_as(ErrorKind::conflict, cat("Container ", c.id, " is not running"));
    ExecInfo info;
    info.id = new_exec_id();
    info.container_id = c.id;
    info.config = std::move(cfg);
    std::string cmd = join(info.config.cmd, " ");
    {
        std::lock_guard lock(mu_);
        sessions_[info.id] = info;
    }
    d_.containers().publish(c, "exec_create: " + cmd, {{"execID", info.id}});
    return info.id;
}

Result<Json> ExecService::process_json(const std::string& container_id, const ExecConfig& cfg) {
    auto c = BERTH_TRY(d_.containers().get(container_id));
    auto p = d_.containers().paths(container_id);
    // The container's own process is the base: caps, rlimits, seccomp-relevant bits.
    auto text = BERTH_TRY(read_file(p.bundle() + "/config.json"));
    auto spec = BERTH_TRY(oci::parse_config_text(text));
    if (!spec.process) return fail("the container's spec has no process");
    oci::Process proc = *spec.process;
    proc.args = cfg.cmd;
    proc.terminal = cfg.tty;
    if (cfg.tty && cfg.console_size)
        proc.console_size = oci::ConsoleSize{static_cast<uint32_t>(cfg.console_size->first),
                                             static_cast<uint32_t>(cfg.console_size->second)};
    else
        proc.console_size.reset();
    for (const auto& kv : cfg.env) {
        auto key = env_key(kv);
        std::erase_if(proc.env, [&](const std::string& e) { return env_key(e) == key; });
        proc.env.push_back(kv);
    }
    if (!cfg.working_dir.empty()) proc.cwd = cfg.working_dir;
    if (!cfg.user.empty()) {
        std::vector<std::string> group_add;
        if (c.settings.host_config.contains("GroupAdd") && c.settings.host_config["GroupAdd"].is_array())
            group_add = c.settings.host_config["GroupAdd"].get<std::vector<std::string>>();
        proc.user = BERTH_TRY(resolve_user(p.rootfs(), cfg.user, group_add));
    }
    if (cfg.privileged) {
        auto s = c.settings;
        s.privileged = true;
        auto caps = BERTH_TRY(effective_capabilities(s));
        proc.capabilities = oci::Capabilities{caps, caps, {}, caps, {}};
    }
    return oci::to_json(proc);
}

Result<ExecService::Started> ExecService::start(const std::string& exec_id) {
    ExecInfo info;
    {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(exec_id);
        if (it == sessions_.end()) return fail_as(ErrorKind::not_found, "No such exec instance: " + exec_id);
        if (it->second.started)
            return fail_as(ErrorKind::conflict, cat("Exec command ", exec_id, " has already run"));
        it->second.started = true;
        info = it->second;
    }
    auto c = BERTH_TRY(d_.containers().get(info.container_id));
    if (c.state.status != ContainerStatus::running)
        return fail_as(ErrorKind::conflict, cat("Container ", c.id, " is not running"));
    auto process = BERTH_TRY(process_json(c.id, info.config));
    ExecRequest req{process, info.config.tty, info.config.attach_stdin};
    auto stream = monitor_exec(d_.containers().paths(c.id).state_dir, req);
    if (!stream) {
        // A shell's codes: 127 for a command not found, 126 for one that can't run.
        finished(exec_id, stream.error().kind == ErrorKind::not_found ? 127 : 126);
        return std::unexpected(stream.error());
    }
    {
        std::lock_guard lock(mu_);
        auto& s = sessions_[exec_id];
        s.running = true;
        s.pid = stream->pid;
        info = s;
    }
    d_.containers().publish(c, "exec_start: " + join(info.config.cmd, " "), {{"execID", exec_id}});
    return Started{std::move(*stream), info};
}

void ExecService::finished(const std::string& exec_id, std::optional<int> exit_code) {
    std::string container_id;
    {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(exec_id);
        if (it == sessions_.end() || (!it->second.running && it->second.exit_code)) return;
        it->second.running = false;
        it->second.exit_code = exit_code.value_or(-1);
        it->second.pid = 0;
        container_id = it->second.container_id;
        exit_code = it->second.exit_code;
    }
    if (auto c = d_.containers().get(container_id))
        d_.containers().publish(*c, "exec_die", {{"execID", exec_id}, {"exitCode", std::to_string(*exit_code)}});
}

ExecService::~ExecService() {
    std::unique_lock lock(mu_);
    stopping_ = true;
    for (int fd : draining_) ::shutdown(fd, SHUT_RDWR);
    cv_.wait(lock, [&] { return draining_.empty(); });
}

void ExecService::drain_in_background(const std::string& exec_id, UniqueFd stream) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        draining_.push_back(stream.get());
    }
    std::thread([this, exec_id, fd = std::move(stream)]() mutable {
        ::shutdown(fd.get(), SHUT_WR);
        FrameDecoder frames;
        char chunk[16 * 1024];
        std::optional<int> code;
        for (;;) {
            ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            // Output nobody reads is dropped; only the exit frame matters.
            frames.feed(std::string_view(chunk, static_cast<std::size_t>(n)),
                        [&](unsigned char which, std::string_view, std::string_view payload) {
                            if (which == kControl) code = parse_exit_frame(payload);
                        });
        }
        bool stopping;
        {
            std::lock_guard lock(mu_);
            stopping = stopping_;
        }
        if (!stopping) finished(exec_id, code);
        std::lock_guard lock(mu_);
        std::erase(draining_, fd.get());
        cv_.notify_all();
    }).detach();
}

Result<ExecInfo> ExecService::get(const std::string& exec_id) const {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(exec_id);
    if (it == sessions_.end()) return fail_as(ErrorKind::not_found, "No such exec instance: " + exec_id);
    return it->second;
}

Result<void> ExecService::resize(const std::string& exec_id, int height, int width) {
    auto info = BERTH_TRY(get(exec_id));
    if (!info.running) return fail_as(ErrorKind::conflict, cat("Exec ", exec_id, " is not running"));
    if (!info.config.tty) return {};
    return monitor_exec_resize(d_.containers().paths(info.container_id).state_dir, info.pid, height, width);
}

Result<ExecService::RunResult> ExecService::run(const std::string& container_id,
                                                const std::vector<std::string>& cmd, int timeout_ms) {
    ExecConfig cfg;
    cfg.cmd = cmd;
    cfg.attach_stdout = cfg.attach_stderr = true;
    auto process = BERTH_TRY(process_json(container_id, cfg));
    auto stream = BERTH_TRY(monitor_exec(d_.containers().paths(container_id).state_dir, ExecRequest{process, false, false}));
    ::shutdown(stream.sock.get(), SHUT_WR);
    RunResult r;
    FrameDecoder frames;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char chunk[8192];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            r.timed_out = true;
            ::kill(stream.pid, SIGKILL);
            deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);  // let the exit frame come
            left = 5000;
        }
        pollfd p{stream.sock.get(), POLLIN, 0};
        int pr = ::poll(&p, 1, static_cast<int>(left));
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) continue;
        ssize_t n = ::read(stream.sock.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        frames.feed(std::string_view(chunk, static_cast<std::size_t>(n)),
                    [&](unsigned char which, std::string_view, std::string_view payload) {
                        if (which == kControl) {
                            if (auto code = parse_exit_frame(payload)) r.exit_code = *code;
                        } else if (r.output.size() < kMaxProbeOutput) {
                            r.output.append(payload.substr(0, kMaxProbeOutput - r.output.size()));
                        }
                    });
    }
    return r;
}

}  // namespace berth::engine

// Start, stop, kill, pause, restart, remove, wait: the container state machine.
#include <sys/mount.h>
#include <signal.h>

#include <chrono>
#include <cstring>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/pidfd.hpp"
#include "base/scope_exit.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "cli/format/units.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_live_update.hpp"
#include "engine/daemon.hpp"
#include "engine/monitor_client.hpp"
#include "engine/oci_spec_builder.hpp"
#include "image/overlay_mount.hpp"
#include "network/network_service.hpp"
#include "oci/config_parse.hpp"
#include "runtime/container.hpp"
#include "runtime/signals.hpp"

namespace berth::engine {

namespace {

constexpr int kDefaultStopTimeout = 10;

std::string now_rfc3339(std::int64_t* ns_out = nullptr) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    if (ns_out) *ns_out = now.tv_sec * 1'000'000'000LL + now.tv_nsec;
    return rfc3339(now.tv_sec, now.tv_nsec);
}

std::optional<MonitorLog> log_for(const Container& c, const ContainerPaths& p) {
    const auto& log = c.settings.log;
    if (log.type == "none") return std::nullopt;
    MonitorLog m;
    m.path = p.log_file(c.id);
    if (auto it = log.config.find("max-size"); it != log.config.end()) {
        auto bytes = cli::parse_size(it->second);
        if (bytes) m.max_size = *bytes;
    }
    if (auto it = log.config.find("max-file"); it != log.config.end()) {
        try {
            m.max_file = std::max(1, std::stoi(it->second));
        } catch (...) {
            m.max_file = 1;
        }
    }
    return m;
}

Error with_context(const Error& e, std::string_view what) {
    Error out = e;
    out.message = cat(what, ": ", e.message);
    return out;
}

}  // namespace

Result<void> ContainerService::mount_rootfs(const Container& c) {
    auto p = paths(c.id);
    auto lowers = BERTH_TRY(d_.images().layer_dirs(c.image_id));
    image::OverlaySpec spec{lowers, p.upper_dir(), p.work_dir()};
    auto m = BERTH_TRY(image::mount_overlay(spec, p.rootfs()));
    m.release();  // the container owns it until it stops
    return {};
}

void ContainerService::unmount_rootfs(const std::string& id) {
    auto target = paths(id).rootfs();
    // Lazily: a shell of the container that still holds a file open doesn't stop us.
    if (::umount2(target.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        log::warn(cat("unmounting ", target, ": ", std::strerror(errno)));
}

Result<bool> ContainerService::start(const std::string& ref) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    {
        std::lock_guard lock(mu_);
        if (e->removed) return fail_as(ErrorKind::not_found, "No such container: " + ref);
        if (e->c.state.status == ContainerStatus::paused)
            return fail_as(ErrorKind::conflict, "cannot start a paused container, try unpause instead");
        if (e->c.state.running()) return false;
        if (e->c.state.status == ContainerStatus::removing)
            return fail_as(ErrorKind::conflict, "container is marked for removal and cannot be started");
        e->c.manually_stopped = false;
    }
    if (auto r = start_locked(*e); !r) {
        // As dockerd: a container that was to be removed on exit is removed when
        // it cannot even start.
        if (e->c.settings.auto_remove) (void)remove_locked(*e, true);
        return std::unexpected(r.error());
    }
    return true;
}

Result<void> ContainerService::start_locked(Entry& e) {
    Container c;
    {
        std::lock_guard lock(mu_);
        c = e.c;
    }
    auto p = paths(c.id);
    auto fail_start = [&](Error err) -> Result<void> {
        // Clients (the docker CLI) pick run's exit code from Go's lower-case errno
        // words in this message: say them so.
        for (auto [c_text, go_text] : {std::pair{"Permission denied", "permission denied"},
                                        std::pair{"No such file or directory", "no such file or directory"}})
            if (auto at = err.message.find(c_text); at != std::string::npos)
                err.message.replace(at, std::strlen(c_text), go_text);
        std::lock_guard lock(mu_);
        // Docker records why a start failed and gives the exit code a shell would.
        e.c.state.error = err.message;
        if (err.message.find("executable file not found") != std::string::npos ||
            err.message.find("no such file or directory") != std::string::npos)
            e.c.state.exit_code = 127;
        else if (err.message.find("permission denied") != std::string::npos)
            e.c.state.exit_code = 126;
        else
            e.c.state.exit_code = 128;
        (void)persist_locked(e.c);
        fail_pending_attaches(e, err);
        cv_.notify_all();
        return std::unexpected(err);
    };

    // Where a start's time goes, for the debug log (the 10 ms budget is tight).
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::pair<const char*, std::chrono::steady_clock::time_point>> marks;
    auto mark = [&](const char* what) { marks.emplace_back(what, std::chrono::steady_clock::now()); };
    Rollback undo;
    if (auto r = mount_rootfs(c); !r) return fail_start(with_context(r.error(), "mounting the container's root filesystem"));
    undo.add([&] { unmount_rootfs(c.id); });
    mark("mount");

    SpecContext ctx;
    ctx.id = c.id;
    ctx.rootfs = p.rootfs();
    ctx.hostname_path = p.hostname_file();
    ctx.hosts_path = p.hosts_file();
    ctx.resolv_conf_path = p.resolv_conf_file();
    // Networking: addresses and host ports now, the namespace's plumbing once the
    // runtime has made it (below), before the process runs.
    std::optional<network::SandboxPlan> plan;
    std::vector<network::Endpoint> endpoints;
    std::vector<network::PublishedPort> ports;
    if (c.settings.network_mode.starts_with("container:")) {
        auto ref = c.settings.network_mode.substr(std::string_view("container:").size());
        auto target = get(ref);
        if (!target) return fail_start(target.error());
        if (!target->state.running() || target->state.pid <= 0)
            return fail_start(Error{0, cat("cannot join network of a non running container: ", ref), ErrorKind::conflict});
        ctx.netns_path = cat("/proc/", target->state.pid, "/ns/net");
        auto tp = paths(target->id);
        ctx.hosts_path = tp.hosts_file();
        ctx.resolv_conf_path = tp.resolv_conf_file();
    } else {
        auto planned = d_.networks().plan(sandbox_request(c));
        if (!planned) return fail_start(planned.error());
        plan = std::move(*planned);
        endpoints = plan->endpoints;
        ports = plan->ports;
        for (auto [path, text] : {std::pair{p.hosts_file(), &plan->hosts}, std::pair{p.resolv_conf_file(), &plan->resolv_conf}})
            if (auto r = write_file_atomic(path, *text, 0644, Durability::until_reboot); !r) return fail_start(r.error());
    }
    mark("network");
    if (c.settings.init) {
        auto init = find_helper_binary("berth-init", "BERTH_INIT");
        if (!init) return fail_start(init.error());
        ctx.init_path = *init;
    }
    auto spec = build_oci_spec(c.settings, ctx);
    mark("spec");
    if (!spec) return fail_start(spec.error());
    if (auto r = mkdir_p(p.bundle(), 0700); !r) return fail_start(r.error());
    undo.add([&] { (void)remove_container_dir(p.state_dir); });
    // The monitor's previous run left its exit record: this start begins a new one.
    ::unlink((p.state_dir + "/exit.json").c_str());
    if (auto r = write_file_atomic(p.bundle() + "/config.json", oci::to_json(*spec).dump(), 0600,
                                   Durability::until_reboot);
        !r)
        return fail_start(r.error());

    auto monitor_bin = find_helper_binary("berth-monitor", "BERTH_MONITOR");
    if (!monitor_bin) return fail_start(monitor_bin.error());
    MonitorSpec ms;
    ms.state_dir = p.state_dir;
    ms.id = c.id;
    ms.bundle = p.bundle();
    ms.runtime_root = runtime_root();
    ms.tty = c.settings.tty;
    ms.open_stdin = c.settings.open_stdin;
    ms.stdin_once = c.settings.stdin_once;
    ms.log = log_for(c, p);
    mark("bundle");
    auto proc = spawn_monitor(*monitor_bin, ms);
    mark("created");
    if (!proc) return fail_start(proc.error());
    if (plan) {
        if (auto r = d_.networks().wire(std::move(*plan), proc->container_pid()); !r) return fail_start(r.error());
        undo.add([&] { d_.networks().release(c.id); });
        mark("wired");
    }

    // Attach whoever waits before the process runs, so they see its first byte.
    std::vector<std::shared_ptr<PendingAttach>> pending;
    {
        std::lock_guard lock(mu_);
        pending.swap(e.pending);
    }
    for (auto& pa : pending) {
        auto conn = monitor_attach(p.state_dir, pa->req.in, pa->req.out, pa->req.err);
        std::lock_guard lock(mu_);
        pa->result = std::move(conn);
    }
    cv_.notify_all();

    // The process starts now: a StartedAt taken after the answer could follow a
    // quick process's FinishedAt.
    std::string started_at = now_rfc3339();
    if (auto r = proc->start(); !r) return fail_start(r.error());
    mark("started");
    if (log::enabled(log::Level::debug)) {
        std::string text = cat("start ", c.id.substr(0, 12), ":");
        auto prev = t0;
        for (auto& [what, at] : marks) {
            text += cat(" ", what, " ", std::chrono::duration_cast<std::chrono::microseconds>(at - prev).count(), "us");
            prev = at;
        }
        log::debug(text);
    }
    auto pidfd = pidfd_open(proc->pid());
    if (!pidfd) return fail_start(pidfd.error());
    undo.commit();

    std::lock_guard lock(mu_);
    e.starts++;
    auto& st = e.c.state;
    st.status = ContainerStatus::running;
    st.pid = proc->container_pid();
    st.monitor_pid = proc->pid();
    st.exit_code = 0;
    st.error.clear();
    st.oom_killed = false;
    st.started_at = started_at;
    st.finished_at = std::string(kZeroTime);
    if (c.settings.healthcheck) st.health = HealthState{"starting", 0, {}};
    e.c.has_been_started = true;
    record_sandbox(e.c, endpoints, ports);
    publish_network_events(e.c, "connect");
    if (auto r = persist_locked(e.c); !r) log::warn(cat("recording container ", c.id, ": ", r.error().message));
    watch(c.id, std::move(*pidfd));
    if (c.settings.healthcheck) d_.health().watch(c.id, *c.settings.healthcheck);
    cv_.notify_all();
    publish(e.c, "start");
    return {};
}

void ContainerService::fail_pending_attaches(Entry& e, const Error& err) {
    for (auto& pa : e.pending) pa->result = std::unexpected(err);
    e.pending.clear();
}

Result<std::function<Result<UniqueFd>()>> ContainerService::attach(const std::string& ref,
                                                                  const AttachRequest& req) {
    using Connect = std::function<Result<UniqueFd>()>;
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard lock(mu_);
    if (e->c.state.running()) {
        auto dir = paths(e->c.id).state_dir;
        return Connect([dir, req] { return monitor_attach(dir, req.in, req.out, req.err); });
    }
    if (e->c.state.status != ContainerStatus::created && e->c.state.status != ContainerStatus::exited)
        return fail_as(ErrorKind::conflict, cat("You cannot attach to a ", status_name(e->c.state.status), " container"));
    // Docker lets a client attach to a stopped container and waits for its start.
    auto pa = std::make_shared<PendingAttach>();
    pa->req = req;
    e->pending.push_back(pa);
    return Connect([this, e, pa]() -> Result<UniqueFd> {
        std::unique_lock l(mu_);
        cv_.wait(l, [&] { return pa->result.has_value() || e->removed || stopping_; });
        if (!pa->result) return fail_as(ErrorKind::not_found, "container removed before it started");
        return std::move(*pa->result);
    });
}

Result<void> ContainerService::resize(const std::string& ref, int height, int width) {
    auto e = BERTH_TRY(entry(ref));
    std::string dir;
    {
        std::lock_guard lock(mu_);
        if (!e->c.state.running())
            return fail_as(ErrorKind::conflict, cat("Container ", e->c.id, " is not running"));
        if (!e->c.settings.tty) return {};  // nothing to size; docker ignores it too
        dir = paths(e->c.id).state_dir;
    }
    BERTH_TRYV(monitor_resize(dir, height, width));
    std::lock_guard lock(mu_);
    publish(e->c, "resize", {{"height", std::to_string(height)}, {"width", std::to_string(width)}});
    return {};
}

bool ContainerService::wait_not_running(Entry& e, int timeout_ms) {
    std::unique_lock lock(mu_);
    auto done = [&] { return !e.c.state.running() || e.removed; };
    if (timeout_ms < 0) {
        cv_.wait(lock, done);
        return true;
    }
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), done);
}

Result<void> ContainerService::signal_locked(Entry& e, int sig) {
    std::string id;
    {
        std::lock_guard lock(mu_);
        if (!e.c.state.running())
            return fail_as(ErrorKind::conflict, cat("Container ", e.c.id, " is not running"));
        id = e.c.id;
    }
    auto r = runtime::kill_container(runtime_root(), id, sig, false);
    if (!r) {
        // The init may have exited between our check and the kill: that is "not running".
        if (wait_not_running(e, 0)) return fail_as(ErrorKind::conflict, cat("Container ", id, " is not running"));
        return std::unexpected(with_context(r.error(), "Cannot kill container " + id));
    }
    return {};
}

Result<void> ContainerService::kill(const std::string& ref, const std::string& signal) {
    auto e = BERTH_TRY(entry(ref));
    int sig = SIGKILL;
    if (!signal.empty()) {
        auto s = runtime::parse_signal(signal);
        if (!s) return fail_as(ErrorKind::invalid_argument, cat("Invalid signal: ", signal));
        sig = *s;
    }
    BERTH_TRYV(signal_locked(*e, sig));
    {
        std::lock_guard lock(mu_);
        // A paused container only sees the signal once thawed; SIGKILL should work now.
        if (sig == SIGKILL && e->c.state.status == ContainerStatus::paused)
            (void)runtime::resume_container(runtime_root(), e->c.id);
        publish(e->c, "kill", {{"signal", std::to_string(sig)}});
    }
    return {};
}

Result<bool> ContainerService::stop_locked(Entry& e, std::optional<int> timeout, bool manual) {
    int secs;
    int stop_sig = SIGTERM;
    bool paused;
    {
        std::lock_guard lock(mu_);
        if (!e.c.state.running()) return false;
        if (manual) e.c.manually_stopped = true;
        if (e.c.state.status == ContainerStatus::restarting) {
            // Waiting out a restart backoff: stopping just cancels the restart.
            e.c.state.status = ContainerStatus::exited;
            (void)persist_locked(e.c);
            cv_.notify_all();
            publish(e.c, "stop");
            return true;
        }
        secs = timeout.value_or(e.c.settings.stop_timeout.value_or(kDefaultStopTimeout));
        if (auto s = runtime::parse_signal(e.c.settings.stop_signal.empty() ? "SIGTERM" : e.c.settings.stop_signal))
            stop_sig = *s;
        paused = e.c.state.status == ContainerStatus::paused;
    }
    if (secs != 0) {
        if (auto r = signal_locked(e, stop_sig); r) {
            std::lock_guard lock(mu_);
            publish(e.c, "kill", {{"signal", std::to_string(stop_sig)}});
        }
        if (paused) (void)runtime::resume_container(runtime_root(), e.c.id);
    }
    if (secs == 0 || !wait_not_running(e, secs < 0 ? -1 : secs * 1000)) {
        if (auto r = signal_locked(e, SIGKILL); r) {
            std::lock_guard lock(mu_);
            publish(e.c, "kill", {{"signal", std::to_string(SIGKILL)}});
        }
        if (paused) (void)runtime::resume_container(runtime_root(), e.c.id);
        wait_not_running(e, -1);
    }
    std::lock_guard lock(mu_);
    publish(e.c, "stop");
    return true;
}

Result<bool> ContainerService::stop(const std::string& ref, std::optional<int> timeout) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    return stop_locked(*e, timeout, true);
}

Result<void> ContainerService::restart(const std::string& ref, std::optional<int> timeout) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    BERTH_TRYV(stop_locked(*e, timeout, false));
    {
        std::lock_guard lock(mu_);
        e->c.manually_stopped = false;
    }
    BERTH_TRYV(start_locked(*e));
    std::lock_guard lock(mu_);
    publish(e->c, "restart");
    return {};
}

Result<void> ContainerService::pause(const std::string& ref) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    std::lock_guard lock(mu_);
    auto& st = e->c.state;
    if (st.status == ContainerStatus::paused)
        return fail_as(ErrorKind::conflict, cat("Container ", e->c.id, " is already paused"));
    if (!st.running()) return fail_as(ErrorKind::conflict, cat("Container ", e->c.id, " is not running"));
    BERTH_TRYV(runtime::pause_container(runtime_root(), e->c.id));
    st.status = ContainerStatus::paused;
    (void)persist_locked(e->c);
    publish(e->c, "pause");
    return {};
}

Result<void> ContainerService::unpause(const std::string& ref) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    std::lock_guard lock(mu_);
    auto& st = e->c.state;
    if (st.status != ContainerStatus::paused)
        return fail_as(ErrorKind::conflict, cat("Container ", e->c.id, " is not paused"));
    BERTH_TRYV(runtime::resume_container(runtime_root(), e->c.id));
    st.status = ContainerStatus::running;
    (void)persist_locked(e->c);
    publish(e->c, "unpause");
    return {};
}

Result<std::function<WaitResult()>> ContainerService::wait(const std::string& ref, WaitCondition cond) {
    auto e = BERTH_TRY(entry(ref));
    std::uint64_t exits, starts;
    {
        std::lock_guard lock(mu_);
        exits = e->exits;
        starts = e->starts;
    }
    return std::function<WaitResult()>([this, e, cond, exits, starts] {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] {
            if (stopping_) return true;
            switch (cond) {
                case WaitCondition::not_running:
                    // A container started since the wait began counts until it exits.
                    return e->removed || (!e->c.state.running() && (e->starts == starts || e->exits > exits));
                case WaitCondition::next_exit: return e->removed || e->exits > exits;
                case WaitCondition::removed: return e->removed;
            }
            return true;
        });
        WaitResult r;
        r.status_code = e->c.state.exit_code;
        if (!e->c.state.error.empty()) r.error = e->c.state.error;
        return r;
    });
}

Result<void> ContainerService::remove_locked(Entry& e, bool force) {
    {
        std::lock_guard lock(mu_);
        if (e.removed) return {};
        auto& st = e.c.state;
        if (st.running() && !force) {
            if (st.status == ContainerStatus::paused)
                return fail_as(ErrorKind::conflict,
                               cat("You cannot remove a paused container ", e.c.id,
                                   ". Unpause and then stop the container before attempting removal or force remove"));
            return fail_as(ErrorKind::conflict,
                           cat("You cannot remove a running container ", e.c.id,
                               ". Stop the container before attempting removal or force remove"));
        }
    }
    if (force) {
        {
            std::lock_guard lock(mu_);
            e.removing = true;
            if (e.c.state.status == ContainerStatus::restarting) {
                e.c.state.status = ContainerStatus::exited;
                cv_.notify_all();
            }
        }
        // Kill without the stop dance, as docker rm -f does.
        if (auto r = signal_locked(e, SIGKILL); r) {
            std::lock_guard lock(mu_);
            if (e.c.state.status == ContainerStatus::paused)
                (void)runtime::resume_container(runtime_root(), e.c.id);
        }
        wait_not_running(e, -1);
    }
    std::string id;
    {
        std::lock_guard lock(mu_);
        id = e.c.id;
        e.c.state.status = ContainerStatus::removing;
    }
    unmount_rootfs(id);
    // A monitor that died without cleaning up leaves runtime state; remove it quietly.
    (void)runtime::delete_container(runtime_root(), id, true);
    auto p = paths(id);
    if (auto r = remove_container_dir(p.state_dir); !r) log::warn(cat("removing ", p.state_dir, ": ", r.error().message));
    if (auto r = remove_container_dir(p.dir); !r) {
        std::lock_guard lock(mu_);
        e.c.state.status = ContainerStatus::dead;
        e.c.state.error = r.error().message;
        return std::unexpected(with_context(r.error(), "unable to remove filesystem for " + id));
    }
    std::lock_guard lock(mu_);
    e.removed = true;
    fail_pending_attaches(e, Error{0, "container removed", ErrorKind::not_found});
    entries_.erase(id);
    if (auto n = names_.find(e.c.name); n != names_.end() && n->second == id) names_.erase(n);
    publish(e.c, "destroy");
    cv_.notify_all();
    return {};
}

Result<void> ContainerService::remove(const std::string& ref, bool force, bool) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    return remove_locked(*e, force);
}

Result<std::pair<std::vector<std::string>, std::int64_t>> ContainerService::prune(
    const std::function<bool(const Container&)>& keep) {
    std::vector<std::string> removed;
    std::int64_t reclaimed = 0;
    for (const auto& c : list()) {
        if (c.state.running() || keep(c)) continue;
        auto e = entry(c.id);
        if (!e) continue;
        std::lock_guard op((*e)->op);
        {
            std::lock_guard lock(mu_);
            if ((*e)->c.state.running() || (*e)->removed) continue;
        }
        auto size = size_rw(c.id);
        if (remove_locked(**e, false)) {
            removed.push_back(c.id);
            reclaimed += size;
        }
    }
    return std::pair{removed, reclaimed};
}

Result<std::vector<std::string>> ContainerService::update(const std::string& ref, const Json& body) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    std::lock_guard lock(mu_);
    auto settings = e->c.settings;
    auto warnings = BERTH_TRY(apply_update(settings, body));
    if (settings.restart.name != "no" && !settings.restart.name.empty() && settings.auto_remove)
        return fail_as(ErrorKind::invalid_argument, "Restart policy cannot be updated because AutoRemove is enabled for the container");
    // A running container gets the new limits now; a refusal leaves the settings as they were.
    if (e->c.state.running())
        BERTH_TRYV(apply_live_update(runtime_root(), e->c.id, body, settings.host_config));
    e->c.settings = std::move(settings);
    BERTH_TRYV(persist_locked(e->c));
    publish(e->c, "update");
    return warnings;
}

}  // namespace berth::engine

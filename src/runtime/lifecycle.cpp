// start, state, kill, delete, pause, resume, ps: operations on an existing
// container, each deciding from the live status (runtime.md "Operations").
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/pidfd.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/container.hpp"
#include "runtime/container_id.hpp"
#include "runtime/hooks.hpp"
#include "runtime/state.hpp"

namespace berth::runtime {
namespace {

struct Loaded {
    ContainerState state;
    Status status;
};

Result<Loaded> load(const std::string& root, const std::string& id) {
    BERTH_TRYV(validate_container_id(id));
    auto st = BERTH_TRY(load_state(root, id));
    Status status = current_status(root, st);
    return Loaded{std::move(st), status};
}

// A pidfd for the init, or an invalid fd when it is already gone.
UniqueFd init_pidfd(const ContainerState& s) {
    auto fd = pidfd_open(s.pid);
    if (!fd) return {};
    // The pid may have been reused between reading the state and pidfd_open.
    if (process_start_time(s.pid) != s.pid_start_time) return {};
    return std::move(*fd);
}

// Reads what the init writes to exec.fifo: nothing when it reached execve, the
// error otherwise. Watches the init too, in case it died before opening the fifo.
Result<void> release_init(const StateDir& dir, const ContainerState& s) {
    UniqueFd pidfd = init_pidfd(s);
    if (!pidfd) return fail("container init has exited");
    auto fifo = BERTH_TRY(open_fd(dir.exec_fifo(), O_RDONLY | O_NONBLOCK));
    // Linux reports POLLHUP on a fifo only after a writer came and went, so a
    // hang-up here means the init held it and then exec'd (CLOEXEC) or exited.
    std::string err;
    for (;;) {
        pollfd p[2] = {{fifo.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_fail("poll exec fifo");
        }
        if (p[0].revents & (POLLIN | POLLHUP)) {
            char buf[4096];
            ssize_t n = ::read(fifo.get(), buf, sizeof buf);
            if (n > 0) {
                err.append(buf, static_cast<size_t>(n));
                continue;
            }
            if (n == 0) break;
        }
        if (p[1].revents & POLLIN) {
            if (err.empty()) err = "container init exited before exec";
            break;
        }
    }
    if (!err.empty()) return fail(err);
    return {};
}

Result<std::unique_ptr<Cgroup>> cgroup_of(const ContainerState& s) {
    return open_cgroup(s.cgroups_path, s.id);
}

Result<void> kill_init_and_wait(const ContainerState& s) {
    UniqueFd pidfd = init_pidfd(s);
    if (!pidfd) return {};
    BERTH_TRYV(pidfd_signal(pidfd.get(), SIGKILL));
    auto exited = BERTH_TRY(pidfd_wait_exit(pidfd.get(), 10000));
    if (!exited)
        return fail("container init " + std::to_string(s.pid) + " did not die after SIGKILL");
    return {};
}

}  // namespace

Result<void> start_container(const std::string& root, const std::string& id) {
    auto c = BERTH_TRY(load(root, id));
    switch (c.status) {
        case Status::created:
            break;
        case Status::stopped:
            return fail("cannot start a container that has stopped");
        default:
            return fail("cannot start an already running container");
    }
    StateDir dir(root, id);
    auto released = release_init(dir, c.state);
    ::unlink(dir.exec_fifo().c_str());
    BERTH_TRYV_CTX(std::move(released), "start container " + id);
    auto config = BERTH_TRY(load_saved_config(root, id));
    std::string st = state_json(c.state, Status::running).dump();
    // runtime.md: a failing poststart hook is logged; the lifecycle continues.
    if (auto r = run_hooks(config.hooks.poststart, "poststart", st); !r)
        log::warn(r.error().message);
    return {};
}

Result<Json> container_state(const std::string& root, const std::string& id) {
    auto c = BERTH_TRY(load(root, id));
    return state_json(c.state, c.status);
}

Result<void> kill_container(const std::string& root, const std::string& id, int sig, bool all) {
    auto c = BERTH_TRY(load(root, id));
    if (all) {
        // Also for a stopped init: without a pid namespace its children outlive
        // it, and containerd-shim sends `kill --all` to reap them (as runc allows).
        auto cg = BERTH_TRY(cgroup_of(c.state));
        if (BERTH_TRY(cg->processes()).empty()) return {};  // the common case after exit
        // Frozen, nothing can fork between listing and signalling; SIGKILL is
        // then delivered on thaw. Other signals go to the running processes.
        bool freeze = sig == SIGKILL && c.status != Status::paused && cg->freeze().has_value();
        auto pids = cg->processes();
        if (pids)
            for (pid_t p : *pids) ::kill(p, sig);
        if (freeze || (sig == SIGKILL && c.status == Status::paused)) (void)cg->thaw();
        if (!pids) return std::unexpected(std::move(pids.error()));
        return {};
    }
    UniqueFd pidfd = c.status == Status::stopped ? UniqueFd() : init_pidfd(c.state);
    if (!pidfd) return fail("container " + id + " is not running");
    return pidfd_signal(pidfd.get(), sig);
}

Result<void> delete_container(const std::string& root, const std::string& id, bool force) {
    auto loaded = load(root, id);
    if (!loaded && loaded.error().sys_errno == ENOENT) {
        // No state.json: never created, or a create killed half-way. Like runc,
        // clear what is there, and with --force that is success.
        (void)remove_state_dir(root, id);
        if (force) return {};
    }
    auto c = BERTH_TRY(std::move(loaded));
    if ((c.status == Status::running || c.status == Status::paused) && !force)
        return fail("cannot delete container " + id +
                    " that is not stopped: " + status_name(c.status));
    auto cg = BERTH_TRY(cgroup_of(c.state));
    if (c.status == Status::paused) (void)cg->thaw();
    if (c.status != Status::stopped) BERTH_TRYV(kill_init_and_wait(c.state));
    BERTH_TRYV_CTX(cg->destroy(), "delete container " + id);
    auto config = load_saved_config(root, id);
    BERTH_TRYV(remove_state_dir(root, id));
    if (config) {
        std::string st = state_json(c.state, Status::stopped).dump();
        if (auto r = run_hooks(config->hooks.poststop, "poststop", st); !r)
            log::warn(r.error().message);
    }
    return {};
}

Result<void> pause_container(const std::string& root, const std::string& id) {
    auto c = BERTH_TRY(load(root, id));
    if (c.status != Status::running && c.status != Status::created)
        return fail("container " + id + " is not running");
    auto cg = BERTH_TRY(cgroup_of(c.state));
    return cg->freeze();
}

Result<void> resume_container(const std::string& root, const std::string& id) {
    auto c = BERTH_TRY(load(root, id));
    if (c.status != Status::paused) return fail("container " + id + " is not paused");
    auto cg = BERTH_TRY(cgroup_of(c.state));
    return cg->thaw();
}

Result<std::vector<pid_t>> container_processes(const std::string& root, const std::string& id) {
    auto c = BERTH_TRY(load(root, id));
    auto cg = BERTH_TRY(cgroup_of(c.state));
    return cg->processes();
}

Result<oci::Config> container_config(const std::string& root, const std::string& id) {
    BERTH_TRYV(validate_container_id(id));
    BERTH_TRYV(load_state(root, id));
    return load_saved_config(root, id);
}

}  // namespace berth::runtime

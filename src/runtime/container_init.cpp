#include "runtime/container_init.hpp"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/json.hpp"
#include "base/log.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/exec_lookup.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lsm_labels.hpp"
#include "runtime/namespaces.hpp"
#include "runtime/process_security.hpp"
#include "runtime/rootfs.hpp"
#include "runtime/terminal.hpp"

namespace berth::runtime {
namespace {

using oci::NamespaceType;

bool creates_namespace(const oci::Linux& l, NamespaceType t) {
    auto* ns = l.find_namespace(t);
    return ns && ns->path.empty();
}

// Namespaces given by path are joined here, user first: joining it gives the
// capabilities needed to join the others. pid and time are joined by the parent
// (they only take effect for children).
Result<void> join_namespaces(const oci::Linux& l) {
    if (auto* u = l.find_namespace(NamespaceType::user); u && !u->path.empty())
        BERTH_TRYV(join_namespace(u->path, NamespaceType::user));
    for (auto& ns : l.namespaces) {
        if (ns.path.empty() || ns.type == NamespaceType::user || ns.type == NamespaceType::pid ||
            ns.type == NamespaceType::time)
            continue;
        BERTH_TRYV(join_namespace(ns.path, ns.type));
    }
    return {};
}

Result<void> set_names(const oci::Config& c) {
    if (!c.hostname.empty() && ::sethostname(c.hostname.data(), c.hostname.size()) != 0)
        return sys_fail("hostname: sethostname \"" + c.hostname + "\"");
    if (!c.domainname.empty() && ::setdomainname(c.domainname.data(), c.domainname.size()) != 0)
        return sys_fail("domainname: setdomainname \"" + c.domainname + "\"");
    return {};
}

Result<void> enter_cwd(const std::string& cwd) {
    // runc creates a missing cwd; the rootfs is already our "/" so this can't escape.
    if (::chdir(cwd.c_str()) == 0) return {};
    if (errno == ENOENT) {
        BERTH_TRYV(mkdir_p(cwd, 0755));
        if (::chdir(cwd.c_str()) == 0) return {};
    }
    return sys_fail("process.cwd: chdir " + cwd);
}

// Everything up to the point where the init waits for `start`.
Result<void> set_up(const InitArgs& a, std::string* hook_state, UniqueFd* seccomp_agent) {
    const oci::Config& c = *a.config;
    const oci::Linux empty_linux;
    const oci::Linux& l = c.linux_ ? *c.linux_ : empty_linux;

    BERTH_TRYV(a.sync->expect(SyncTag::go));
    if (creates_namespace(l, NamespaceType::user)) {
        // We were cloned before the maps existed; become the mapped root now.
        if (::setresgid(0, 0, 0) != 0) return sys_fail("user namespace: setresgid 0");
        if (::setresuid(0, 0, 0) != 0) return sys_fail("user namespace: setresuid 0");
    }
    BERTH_TRYV(join_namespaces(l));
    if (::setsid() < 0) return sys_fail("setsid");
    // As runc: a session keyring of the container's own, so keys the host's
    // session holds are not reachable from inside. Kernels without keys: skip.
    if (a.new_keyring && ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0 &&
        errno != ENOSYS)
        return sys_fail("join a new session keyring (--no-new-keyring skips it)");
    BERTH_TRYV(set_names(c));
    if (creates_namespace(l, NamespaceType::network)) BERTH_TRYV(bring_up_loopback());

    // runc runs from the bundle, so relative mount sources are bundle-relative.
    if (::chdir(a.bundle.c_str()) != 0) return sys_fail("chdir to bundle " + a.bundle);
    // The runtime moves us into our cgroup while we build the rootfs; we wait
    // for that only where it matters: before a cgroup mount, and before the
    // cgroup namespace (whose root is the cgroup we are in when we unshare it).
    bool in_cgroup = false;
    auto join_cgroup = [&]() -> Result<void> {
        if (in_cgroup) return {};
        in_cgroup = true;
        auto joined = BERTH_TRY(a.sync->expect(SyncTag::cgroup_joined));
        std::vector<int> fds;
        for (auto& fd : joined.fds) fds.push_back(fd.get());
        BERTH_TRYV(join_cgroup_self(fds));
        if (creates_namespace(l, NamespaceType::cgroup) && ::unshare(CLONE_NEWCGROUP) != 0)
            return sys_fail("unshare cgroup namespace");
        return {};
    };
    RootfsSpec rs{&c, a.rootfs, a.no_pivot, l.has_namespace(NamespaceType::user), join_cgroup};
    BERTH_TRYV_CTX(prepare_rootfs(rs), "prepare rootfs");
    BERTH_TRYV(join_cgroup());

    BERTH_TRYV(a.sync->send(SyncTag::run_hooks));
    auto done = BERTH_TRY(a.sync->receive());
    if (done.tag != SyncTag::hooks_done) return fail("sync: unexpected message from runtime");
    *hook_state = done.payload;
    BERTH_TRYV(run_hooks(c.hooks.create_container, "createContainer", *hook_state));

    // Before enter_rootfs: readonlyPaths usually cover /proc/sys. Our namespaces
    // are set, so the host's /proc/sys here writes the container's values.
    BERTH_TRYV_CTX(apply_sysctl(l.sysctl), "linux.sysctl");
    // listenerPath is a host path: connect while the host is still our root.
    if (l.seccomp && !l.seccomp->listener_path.empty())
        *seccomp_agent = BERTH_TRY(connect_seccomp_agent(l.seccomp->listener_path));
    BERTH_TRYV_CTX(enter_rootfs(rs), "enter rootfs");
    if (c.process->terminal) BERTH_TRYV(attach_new_pty(a.console_fd, c.process->console_size));
    BERTH_TRYV(enter_cwd(c.process->cwd));
    return mark_inherited_fds(a.preserve_fds);
}

// After `start` opened the fifo: hooks, identity, exec. An error is written to the
// fifo, where `start` reads it; success is the fifo closing on execve (CLOEXEC).
[[noreturn]] void finish(const InitArgs& a, int fifo_path_fd, const std::string& hook_state,
                         const UniqueFd& seccomp_agent) {
    const oci::Config& c = *a.config;
    std::string proc_fd = "/proc/self/fd/" + std::to_string(fifo_path_fd);
    UniqueFd fifo(::open(proc_fd.c_str(), O_WRONLY | O_CLOEXEC));
    int code = 1;
    auto run = [&]() -> Result<void> {
        if (!fifo) return sys_fail("open exec fifo");
        ::close(fifo_path_fd);
        BERTH_TRYV(run_hooks(c.hooks.start_container, "startContainer", hook_state));
        BERTH_TRYV(apply_lsm_labels(*c.process));  // rlimits come with the security step
        if (c.linux_ && c.linux_->personality)
            BERTH_TRYV(apply_personality(*c.linux_->personality));
        const oci::Seccomp* sc = c.linux_ && c.linux_->seccomp ? &*c.linux_->seccomp : nullptr;
        int listener = BERTH_TRY(apply_process_security(*c.process, a.seccomp));
        if (listener >= 0) {
            UniqueFd l(listener);
            // runtime.md: the pid "as seen by the runtime" (the host's), not our 1.
            long host_pid = Json::parse(hook_state).value("pid", 0L);
            BERTH_TRYV(send_seccomp_listener(
                seccomp_agent.get(), l.get(),
                seccomp_process_state(host_pid, sc->listener_metadata, hook_state)));
        }
        auto env = with_home(c.process->env, c.process->user.uid);
        return exec_process(c.process->args, env, &code);
    };
    auto r = run();
    std::string msg = r.error().message;
    if (fifo)
        (void)write_all(fifo.get(), msg);
    else
        log::error(msg);
    ::_exit(code);
}

}  // namespace

void container_init(const InitArgs& a) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Die with the runtime while it is still setting us up.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);

    std::string hook_state;
    UniqueFd seccomp_agent;
    auto r = set_up(a, &hook_state, &seccomp_agent);
    if (!r) {
        (void)a.sync->send(SyncTag::error, r.error().message);
        ::_exit(1);
    }
    // From here on the runtime may exit (create returns): we must not die with it.
    ::prctl(PR_SET_PDEATHSIG, 0);
    if (!a.sync->send(SyncTag::ready)) ::_exit(1);
    a.sync->close();
    if (a.console_fd >= 0) ::close(a.console_fd);
    finish(a, a.exec_fifo, hook_state, seccomp_agent);
}

}  // namespace berth::runtime

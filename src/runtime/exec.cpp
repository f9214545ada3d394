// `exec`: a new process inside a running container's namespaces and cgroup, with
// the identity and security of its own process.json (runtime-spec has no exec; this
// follows runc). The caller owns the child it gets back.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/container.hpp"
#include "runtime/container_id.hpp"
#include "runtime/exec_lookup.hpp"
#include "runtime/lsm_labels.hpp"
#include "runtime/namespaces.hpp"
#include "runtime/process_security.hpp"
#include "runtime/state.hpp"
#include "runtime/terminal.hpp"

namespace berth::runtime {
namespace {

using oci::NamespaceType;

struct NsFd {
    NamespaceType type;
    UniqueFd fd;
};

// The init's namespaces that differ from ours, user first (it grants the
// capabilities to join the rest), mount last (it changes our root).
Result<std::vector<NsFd>> open_namespaces(pid_t pid) {
    constexpr NamespaceType order[] = {
        NamespaceType::user, NamespaceType::ipc,    NamespaceType::uts,  NamespaceType::network,
        NamespaceType::pid,  NamespaceType::cgroup, NamespaceType::time, NamespaceType::mount};
    std::vector<NsFd> out;
    for (auto t : order) {
        if (!namespace_differs(pid, t)) continue;
        std::string path = "/proc/" + std::to_string(pid) + "/ns/" + proc_ns_name(t);
        out.push_back({t, BERTH_TRY(open_fd(path, O_RDONLY))});
    }
    return out;
}

Result<void> enter(const std::vector<NsFd>& nss, int root_fd, const oci::Process& p, int console_fd,
                   int preserve_fds) {
    for (auto& ns : nss) {
        if (ns.type == NamespaceType::pid || ns.type == NamespaceType::time) continue;
        if (::setns(ns.fd.get(), clone_flag(ns.type)) != 0)
            return sys_fail(std::string("join ") + oci::namespace_type_name(ns.type) +
                            " namespace");
    }
    // setns(mnt) puts us at the namespace's root, which is not the container's
    // root under --no-pivot (chroot); the init's /proc/<pid>/root always is.
    if (::fchdir(root_fd) != 0 || ::chroot(".") != 0) return sys_fail("enter container root");
    if (::setsid() < 0) return sys_fail("setsid");
    if (p.terminal) BERTH_TRYV(attach_new_pty(console_fd, p.console_size));
    if (::chdir(p.cwd.c_str()) != 0) return sys_fail("process.cwd: chdir " + p.cwd);
    return mark_inherited_fds(preserve_fds);
}

[[noreturn]] void exec_child(const std::vector<NsFd>& nss, int root_fd, const oci::Config& c,
                             const ExecOptions& o, const SeccompProgram* program,
                             const std::string& container_state, int go_fd,
                             int err_fd) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int code = 1;
    auto run = [&]() -> Result<void> {
        // The runtime sends our pid as it sees it, once we are in the cgroup.
        char buf[32] = {};
        if (::read(go_fd, buf, sizeof buf - 1) <= 0) return fail("runtime went away");
        long host_pid = std::strtol(buf, nullptr, 10);
        const oci::Seccomp* sc = c.linux_ && c.linux_->seccomp ? &*c.linux_->seccomp : nullptr;
        // listenerPath is a host path: connect before entering the container.
        UniqueFd agent;
        if (sc && !sc->listener_path.empty())
            agent = BERTH_TRY(connect_seccomp_agent(sc->listener_path));
        BERTH_TRYV(enter(nss, root_fd, o.process, o.console_fd, o.preserve_fds));
        BERTH_TRYV(apply_lsm_labels(o.process));
        int listener = BERTH_TRY(apply_process_security(o.process, program));
        if (listener >= 0) {
            // This process has its own filter, so its own notify fd for the agent.
            UniqueFd l(listener);
            BERTH_TRYV(send_seccomp_listener(
                agent.get(), l.get(),
                seccomp_process_state(host_pid, sc->listener_metadata, container_state)));
        }
        return exec_process(o.process.args, with_home(o.process.env, o.process.user.uid), &code);
    };
    auto r = run();
    (void)write_all(err_fd, r.error().message);
    ::_exit(code);
}

// pid (and time) namespaces apply to our next child: switch, fork, switch back.
class ForChildren {
  public:
    Result<void> enter(const std::vector<NsFd>& nss) {
        for (auto& ns : nss) {
            if (ns.type != NamespaceType::pid && ns.type != NamespaceType::time) continue;
            const char* self = ns.type == NamespaceType::pid ? "/proc/self/ns/pid_for_children"
                                                             : "/proc/self/ns/time_for_children";
            saved_.push_back({clone_flag(ns.type), BERTH_TRY(open_fd(self, O_RDONLY))});
            if (::setns(ns.fd.get(), clone_flag(ns.type)) != 0)
                return sys_fail(std::string("join ") + oci::namespace_type_name(ns.type) +
                                " namespace");
        }
        return {};
    }
    ~ForChildren() {
        for (auto& [flag, fd] : saved_) ::setns(fd.get(), flag);
    }

  private:
    std::vector<std::pair<int, UniqueFd>> saved_;
};

}  // namespace

Result<pid_t> exec_in_container(const std::string& root, const std::string& id,
                                const ExecOptions& o) {
    BERTH_TRYV(validate_container_id(id));
    auto st = BERTH_TRY(load_state(root, id));
    Status status = current_status(root, st);
    if (status == Status::paused && !o.ignore_paused)
        return fail("cannot exec in a paused container (--ignore-paused to queue it)");
    if (status == Status::stopped)
        return fail("cannot exec in a stopped container");
    if (o.process.args.empty()) return fail("process.args: must not be empty");
    if (o.process.terminal && o.console_fd < 0)
        return fail("--tty: use --console-socket (or exec in the foreground)");
    auto config = BERTH_TRY(load_saved_config(root, id));
    auto cgroup = BERTH_TRY(open_cgroup(st.cgroups_path, id));

    auto nss = BERTH_TRY(open_namespaces(st.pid));
    auto root_fd =
        BERTH_TRY(open_fd("/proc/" + std::to_string(st.pid) + "/root", O_RDONLY | O_DIRECTORY));
    if (process_start_time(st.pid) != st.pid_start_time)
        return fail("cannot exec in a stopped container");
    const std::string container_state = state_json(st, status).dump();
    int go[2], err[2];
    if (::pipe2(go, O_CLOEXEC) != 0) return sys_fail("pipe");
    UniqueFd go_r(go[0]), go_w(go[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return sys_fail("pipe");
    UniqueFd err_r(err[0]), err_w(err[1]);

    std::optional<SeccompProgram> seccomp;
    if (config.linux_ && config.linux_->seccomp)
        seccomp = BERTH_TRY(compile_seccomp(*config.linux_->seccomp, path_join(root, "seccomp-cache")));

    pid_t pid;
    {
        ForChildren for_children;
        BERTH_TRYV(for_children.enter(nss));
        pid = ::fork();
        if (pid < 0) return sys_fail("fork");
        if (pid == 0)
            exec_child(nss, root_fd.get(), config, o, seccomp ? &*seccomp : nullptr, container_state, go_r.get(),
                       err_w.get());
    }
    err_w.reset();
    go_r.reset();
    auto reap_on_error = [pid](Error e) -> Result<pid_t> {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        return std::unexpected(std::move(e));
    };
    if (auto r = cgroup->add_process(pid); !r)
        return reap_on_error(std::move(r.error()).context("cgroup"));
    std::string pid_text = std::to_string(pid);
    if (::write(go_w.get(), pid_text.data(), pid_text.size()) !=
        static_cast<ssize_t>(pid_text.size()))
        return reap_on_error(Error{errno, "exec: signal child"});
    auto msg = read_fd(err_r.get());
    if (msg && !msg->empty()) return reap_on_error(Error{0, *msg});
    if (!o.pid_file.empty())
        BERTH_TRYV_CTX(
            write_file_atomic(o.pid_file, std::to_string(pid), 0644, Durability::until_reboot),
            "--pid-file");
    return pid;
}

}  // namespace berth::runtime

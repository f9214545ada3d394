// `create`: the runtime's side of making a container (runtime-spec runtime.md,
// "Lifecycle" steps 1-5). Each step registers its undo, so a failure anywhere
// leaves no state directory, cgroup, fifo or process behind.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_exit.hpp"
#include "base/time.hpp"
#include "oci/config_parse.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/container.hpp"
#include "runtime/container_id.hpp"
#include "runtime/container_init.hpp"
#include "runtime/device_rules.hpp"
#include "runtime/hooks.hpp"
#include "runtime/namespaces.hpp"
#include "runtime/state.hpp"
#include "runtime/sysctl_policy.hpp"

namespace berth::runtime {
namespace {

using oci::NamespaceType;

std::string absolute(const std::string& p) {
    std::error_code ec;
    auto a = std::filesystem::absolute(p, ec);
    return ec ? p : a.lexically_normal().string();
}

Result<std::string> resolve_rootfs(const oci::Config& c, const std::string& bundle) {
    std::string rootfs =
        c.root.path.starts_with('/') ? c.root.path : path_join(bundle, c.root.path);
    rootfs = absolute(rootfs);
    struct stat st {};
    if (::stat(rootfs.c_str(), &st) != 0) return sys_fail("root.path: " + rootfs);
    if (!S_ISDIR(st.st_mode)) return fail("root.path: " + rootfs + " is not a directory");
    return rootfs;
}

uint64_t clone_flags_for(const oci::Config& c) {
    uint64_t flags = 0;
    if (!c.linux_) return flags;
    for (auto& ns : c.linux_->namespaces) {
        // cgroup: unshared by the init once it is in its cgroup, so the namespace's
        // root is the container's cgroup. pid/time with a path: joined by us below.
        if (!ns.path.empty() || ns.type == NamespaceType::cgroup || ns.type == NamespaceType::time)
            continue;
        flags |= static_cast<uint64_t>(clone_flag(ns.type));
    }
    return flags;
}

// pid and time namespaces apply to children only: point our *_for_children at the
// container's, clone, then point them back (the Restore object does that).
class ChildNamespaces {
  public:
    Result<void> prepare(const oci::Linux& l) {
        for (auto& ns : l.namespaces) {
            if (ns.type != NamespaceType::pid && ns.type != NamespaceType::time) continue;
            const char* self = ns.type == NamespaceType::pid ? "/proc/self/ns/pid_for_children"
                                                             : "/proc/self/ns/time_for_children";
            auto saved = BERTH_TRY(open_fd(self, O_RDONLY));
            if (!ns.path.empty()) {
                BERTH_TRYV(join_namespace(ns.path, ns.type));
            } else if (ns.type == NamespaceType::time) {
                if (::unshare(clone_flag(NamespaceType::time)) != 0)
                    return sys_fail("unshare time namespace");
                BERTH_TRYV(write_time_offsets(l));
            } else {
                continue;  // a new pid namespace comes from the clone flags
            }
            saved_.push_back({clone_flag(ns.type), std::move(saved)});
        }
        return {};
    }
    ~ChildNamespaces() {
        for (auto& [flag, fd] : saved_) ::setns(fd.get(), flag);
    }

  private:
    static Result<void> write_time_offsets(const oci::Linux& l) {
        std::string text;
        for (auto& [clock, secs] : l.time_offsets_secs) {
            auto ns = l.time_offsets_nsecs.find(clock);
            text += clock + " " + std::to_string(secs) + " " +
                    std::to_string(ns == l.time_offsets_nsecs.end() ? 0 : ns->second) + "\n";
        }
        for (auto& [clock, nsecs] : l.time_offsets_nsecs)
            if (!l.time_offsets_secs.count(clock))
                text += clock + " 0 " + std::to_string(nsecs) + "\n";
        if (text.empty()) return {};
        return with_context(write_existing("/proc/self/timens_offsets", text), "linux.timeOffsets");
    }
    std::vector<std::pair<int, UniqueFd>> saved_;
};

// The host id container id 0 maps to (0 without a user namespace).
unsigned host_id_of_root(const std::vector<oci::IdMapping>& maps) {
    for (auto& m : maps)
        if (m.container_id == 0 && m.size > 0) return m.host_id;
    return 0;
}

// `cgroup_fd` >= 0: the child is born in that v2 cgroup (CLONE_INTO_CGROUP).
pid_t clone3_child(uint64_t flags, int cgroup_fd) {
    clone_args args{};
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

Result<void> run_runtime_hooks(const oci::Config& c, const std::string& state) {
    BERTH_TRYV(run_hooks(c.hooks.prestart, "prestart", state));
    return run_hooks(c.hooks.create_runtime, "createRuntime", state);
}

}  // namespace

Result<pid_t> create_container(const std::string& root, const CreateOptions& o) {
    BERTH_TRYV(validate_container_id(o.id));
    std::string bundle = absolute(o.bundle.empty() ? "." : o.bundle);
    auto config = BERTH_TRY(oci::load_bundle_config(bundle));
    // Parsing validated everything else; create also needs a process to run.
    if (!config.process) return fail("bundle " + bundle + ": config.json: process: required");
    std::string rootfs = BERTH_TRY(resolve_rootfs(config, bundle));
    if (config.linux_) BERTH_TRYV(check_sysctl_policy(*config.linux_));
    if (config.process->terminal && o.console_fd < 0)
        return fail("process.terminal is true: use --console-socket (or run in the foreground)");

    BERTH_TRYV(claim_state_dir(root, o.id));
    std::unique_ptr<Cgroup> cgroup;  // outlives `undo`, whose steps use it
    Rollback undo;
    undo.add([&] { (void)remove_state_dir(root, o.id); });
    StateDir dir(root, o.id);
    BERTH_TRYV(write_file_atomic(dir.config_file(), oci::to_json(config).dump(), 0600,
                                 Durability::until_reboot));

    const oci::Linux no_linux;
    const oci::Linux& l = config.linux_ ? *config.linux_ : no_linux;
    cgroup = BERTH_TRY(open_cgroup(l.cgroups_path, o.id));

    if (::mkfifo(dir.exec_fifo().c_str(), 0600) != 0) return sys_fail("mkfifo " + dir.exec_fifo());
    // The init opens it as the container's root, which a user namespace maps to
    // some other host uid.
    if (::chown(dir.exec_fifo().c_str(), host_id_of_root(l.uid_mappings),
                host_id_of_root(l.gid_mappings)) != 0)
        return sys_fail("chown " + dir.exec_fifo());
    // Held by O_PATH and reopened by the init after pivot_root through
    // /proc/self/fd: the state directory need not be reachable from inside.
    auto fifo = BERTH_TRY(open_fd(dir.exec_fifo(), O_PATH));
    auto [parent_end, child_end] = BERTH_TRY(SyncChannel::make_pair());

    auto set_up_cgroup = [&]() -> Result<void> {
        BERTH_TRYV_CTX(cgroup->create(), "cgroup");
        undo.add([&] { (void)cgroup->destroy(); });
        return with_context(cgroup->apply(effective_resources(l)), "linux.resources");
    };
    // v2: the init is born in its cgroup (clone3 CLONE_INTO_CGROUP), never migrated,
    // so the cgroup comes first. v1 has no such clone: there the cgroup is made
    // while the init builds its rootfs, and the init moves itself in (see below).
    UniqueFd born_in;
    if (cgroup->version() == CgroupVersion::v2) {
        BERTH_TRYV(set_up_cgroup());
        born_in = BERTH_TRY(with_context(cgroup->open_for_clone(), "cgroup"));
    }

    // Compiled here, where the state root is reachable and before anything exists
    // to undo; the init inherits it with the rest of our memory.
    std::optional<SeccompProgram> seccomp;
    if (l.seccomp) seccomp = BERTH_TRY(compile_seccomp(*l.seccomp, path_join(root, "seccomp-cache")));

    pid_t pid;
    {
        ChildNamespaces child_ns;
        BERTH_TRYV(child_ns.prepare(l));
        pid = clone3_child(clone_flags_for(config), born_in ? born_in.get() : -1);
        if (pid < 0) return sys_fail("clone3");
        if (pid == 0) {
            parent_end.close();
            InitArgs a{&config,      bundle,     rootfs,        fifo.get(),     &child_end,
                       o.console_fd, o.no_pivot, o.new_keyring, o.preserve_fds, seccomp ? &*seccomp : nullptr};
            container_init(a);
        }
    }
    child_end.close();
    fifo.reset();
    born_in.reset();
    undo.add([pid] { kill_and_reap(pid); });

    if (auto* user = l.find_namespace(NamespaceType::user); user && user->path.empty())
        BERTH_TRYV(write_id_mappings(pid, l.uid_mappings, l.gid_mappings));
    BERTH_TRYV(parent_end.send(SyncTag::go));
    std::vector<UniqueFd> self_join;
    if (cgroup->version() == CgroupVersion::v1) {
        // Made while the init builds its rootfs (two cores, two jobs); the init then
        // joins through `tasks`: a cgroup.procs write would wait out an RCU grace
        // period (the kernel's global threadgroup lock).
        BERTH_TRYV(set_up_cgroup());
        self_join = BERTH_TRY(with_context(cgroup->open_self_join_files(), "cgroup"));
    }
    BERTH_TRYV(parent_end.send_fds(SyncTag::cgroup_joined, self_join));
    BERTH_TRYV(parent_end.expect(SyncTag::run_hooks));

    ContainerState st;
    st.id = o.id;
    st.bundle = bundle;
    st.rootfs = rootfs;
    st.pid = pid;
    st.pid_start_time = process_start_time(pid);
    st.created = rfc3339_now();
    st.annotations = config.annotations;
    st.cgroups_path = l.cgroups_path;
    std::string hook_state = state_json(st, Status::creating).dump();
    if (auto r = run_runtime_hooks(config, hook_state); !r) {
        (void)parent_end.send(SyncTag::error, r.error().message);
        // runtime.md: a failed prestart/createRuntime hook continues at poststop.
        (void)run_hooks(config.hooks.poststop, "poststop", hook_state);
        return std::unexpected(std::move(r.error()));
    }
    BERTH_TRYV(parent_end.send(SyncTag::hooks_done, state_json(st, Status::created).dump()));
    BERTH_TRYV(parent_end.expect(SyncTag::ready));

    BERTH_TRYV(save_state(root, st));
    if (!o.pid_file.empty())
        BERTH_TRYV_CTX(write_file_atomic(absolute(o.pid_file), std::to_string(pid), 0644,
                                         Durability::until_reboot),
                       "--pid-file");
    undo.commit();
    return pid;
}

}  // namespace berth::runtime

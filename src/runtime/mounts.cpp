// One config.json mount (runtime-spec config.md "Mounts"), done the way runc does
// it: the destination is resolved inside the rootfs and created if missing, the
// mount goes onto /proc/self/fd/N of that resolved target (so nothing can swap a
// symlink in between), then per-mount flags and propagation are applied to the new
// mount, which is looked up again since the old fd still names the covered inode.
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/strings.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/rootfs.hpp"
#include "runtime/rootfs_steps.hpp"
#include "runtime/safe_path.hpp"

namespace berth::runtime {

Result<void> copy_up_into(int from_dir_fd, int to_dir_fd);  // tmpcopyup.cpp

namespace {

// What we are about to do, after runc's rewrites of the config entry.
struct Plan {
    std::string type, source;
    MountOptions opt;
    bool bind = false;
};

// sysfs belongs to the network namespace's owner: in a user namespace without a
// network namespace of its own the kernel refuses it, so runc binds the host's
// /sys instead (read-only flags still apply through the remount).
Plan plan_for(const RootfsContext& ctx, const oci::Mount& m) {
    Plan p{m.type, m.source, parse_mount_options(m.options), false};
    p.bind = p.type == "bind" || p.opt.bind;
    if (p.type == "sysfs" && ctx.in_user_namespace && !ctx.new_network_namespace) {
        p.bind = true;
        p.opt.recursive = true;
        p.source = "/sys";
    }
    return p;
}

Result<bool> source_is_directory(const std::string& source) {
    struct stat st {};
    if (::stat(source.c_str(), &st) != 0) return sys_fail("stat source " + source);
    return S_ISDIR(st.st_mode);
}

int do_mount(const std::string& src, const std::string& target, const char* type,
             unsigned long flags, const std::string& data) {
    return ::mount(src.c_str(), target.c_str(), type, flags, data.empty() ? nullptr : data.c_str());
}

Result<void> bind_mount(const Plan& p, int target_fd) {
    if (p.opt.flags & MS_REMOUNT) return {};  // only the flags change, applied after
    unsigned long flags = MS_BIND | (p.opt.recursive ? MS_REC : 0);
    if (do_mount(p.source, fd_path(target_fd), nullptr, flags, "") != 0)
        return sys_fail("mount " + p.source);
    return {};
}

// devpts's gid= must name a group mapped in the user namespace; runc-made configs
// carry gid=5, which a rootless container often lacks, so retry without it.
std::string without_gid(const std::string& data) {
    std::vector<std::string> kept;
    for (auto& o : split(data, ','))
        if (!o.starts_with("gid=")) kept.push_back(o);
    return join(kept, ",");
}

Result<void> fs_mount(const RootfsContext& ctx, const Plan& p, int target_fd) {
    const std::string target = fd_path(target_fd);
    const std::string src = p.source.empty() ? p.type : p.source;
    if (do_mount(src, target, p.type.c_str(), p.opt.flags, p.opt.data) == 0) return {};
    int err = errno;
    if (ctx.in_user_namespace && p.type == "devpts" && err == EINVAL &&
        p.opt.data.find("gid=") != std::string::npos) {
        if (do_mount(src, target, "devpts", p.opt.flags, without_gid(p.opt.data)) == 0) return {};
    }
    // mqueue wants the IPC namespace's owner; without one, bind the host's, as runc.
    if (ctx.in_user_namespace && p.type == "mqueue" && err == EPERM) {
        if (do_mount("/dev/mqueue", target, nullptr, MS_BIND | MS_REC, "") == 0) return {};
    }
    return sys_fail("mount", err);
}

// After the mount: flags a bind could not take at mount time, propagation, and the
// tmpfs copy-up; all on the new mount, found again by path.
Result<void> finish_mount(const RootfsContext& ctx, const oci::Mount& m, const Plan& p,
                          int covered_fd) {
    auto mounted = BERTH_TRY(open_in_root(ctx.root_fd, m.destination));
    const std::string target = fd_path(mounted.get());
    if (p.bind)
        BERTH_TRYV(set_mount_flags(target, p.opt.flags, p.opt.clear_flags, p.opt.recursive));
    if (p.opt.propagation != 0 &&
        ::mount("", target.c_str(), nullptr, p.opt.propagation, nullptr) != 0)
        return sys_fail("set propagation");
    if (p.opt.tmpcopyup && p.type == "tmpfs")
        BERTH_TRYV_CTX(copy_up_into(covered_fd, mounted.get()), "tmpcopyup");
    return {};
}

// Judged on where the destination really is (a symlink may lead into /proc).
Result<void> check_destination(const RootfsContext& ctx, const Plan& p, int target_fd) {
    auto host = BERTH_TRY(verified_path(target_fd, ctx.root_path));
    std::string inside = host.substr(ctx.root_path == "/" ? 0 : ctx.root_path.size());
    if (inside.empty()) inside = "/";
    return check_proc_destination(inside, p.type, p.bind ? p.source : "");
}

Result<void> cgroup_mount(const RootfsContext& ctx, const oci::Mount& m, const Plan& p) {
    if (ctx.before_cgroup_mount && *ctx.before_cgroup_mount)
        BERTH_TRYV((*ctx.before_cgroup_mount)());
    auto fd = BERTH_TRY(create_in_root(ctx.root_fd, m.destination, Create::directory));
    BERTH_TRYV(check_destination(ctx, p, fd.get()));
    // mount_cgroup_fs builds beneath the target by path (v1: one dir per
    // controller), which a /proc/self/fd path would not do once covered.
    auto path = BERTH_TRY(verified_path(fd.get(), ctx.root_path));
    BERTH_TRYV(mount_cgroup_fs(path, p.opt.flags));
    if (p.opt.propagation != 0 &&
        ::mount("", path.c_str(), nullptr, p.opt.propagation, nullptr) != 0)
        return sys_fail("set propagation");
    return {};
}

}  // namespace

Result<void> mount_config_entry(const RootfsContext& ctx, const oci::Mount& m) {
    if (!m.destination.starts_with('/')) return fail("destination must be an absolute path");
    const Plan p = plan_for(ctx, m);
    if (p.type == "cgroup" && !p.bind) return cgroup_mount(ctx, m, p);
    Create kind = Create::directory;
    if (p.bind && !BERTH_TRY(source_is_directory(p.source))) kind = Create::file;
    auto target = BERTH_TRY(create_in_root(ctx.root_fd, m.destination, kind));
    BERTH_TRYV(check_destination(ctx, p, target.get()));
    if (p.bind)
        BERTH_TRYV(bind_mount(p, target.get()));
    else
        BERTH_TRYV(fs_mount(ctx, p, target.get()));
    return finish_mount(ctx, m, p, target.get());
}

}  // namespace berth::runtime

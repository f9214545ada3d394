// The container's /sys/fs/cgroup for a config.json mount of type "cgroup": a view
// of the container's own cgroup(s), made in its mount namespace before pivot_root.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/scope_exit.hpp"
#include "base/strings.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime {

using namespace cgroup_detail;

namespace {

// Only per-mount flags make sense here; bind/propagation bits are ours to set.
unsigned long view_flags(unsigned long flags) {
    return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
                    MS_RELATIME | MS_STRICTATIME);
}

Result<void> do_mount(const std::string& source, const std::string& target, const char* type,
                      unsigned long flags, const std::string& data) {
    if (::mount(source.c_str(), target.c_str(), type, flags,
                data.empty() ? nullptr : data.c_str()) != 0)
        return sys_fail("mount " + source + " on " + target +
                        (type ? std::string(" (") + type + ")" : ""));
    return {};
}

// A bind mount takes its flags only from a second, remount call.
Result<void> bind_with_flags(const std::string& source, const std::string& target,
                             unsigned long flags) {
    BERTH_TRYV(do_mount(source, target, nullptr, MS_BIND, ""));
    if (flags == 0) return {};
    return do_mount("", target, nullptr, MS_BIND | MS_REMOUNT | flags, "");
}

// Maps a /proc/self/cgroup path onto the mount: when the host mount is itself a
// sub-tree (mountinfo root != "/"), the path is below that root.
std::string source_in_mount(const MountInfo& m, const std::string& own_path) {
    if (m.root != "/" && own_path.starts_with(m.root))
        return m.mount_point + own_path.substr(m.root.size());
    return m.mount_point + (own_path == "/" ? "" : own_path);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::ranges::sort(v);
    return v;
}

// This process's path in the hierarchy carrying `controllers`.
std::optional<std::string> own_v1_path(const std::map<std::string, std::string>& own,
                                       const std::vector<std::string>& controllers) {
    for (auto& [key, path] : own)
        if (!key.empty() && sorted(split(key, ',')) == sorted(controllers)) return path;
    return std::nullopt;
}

// One hierarchy at target/<name>: a fresh mount when we sit at its root (as in a
// new cgroup namespace, where that root is our cgroup), else a bind of our cgroup.
Result<void> mount_v1_hierarchy(const std::string& target, const MountInfo& m,
                                const std::vector<std::string>& controllers,
                                const std::string& own_path, unsigned long flags) {
    std::string name = m.mount_point.substr(m.mount_point.find_last_of('/') + 1);
    std::string dir = path_join(target, name);
    BERTH_TRYV(mkdir_p(dir, 0755));
    if (own_path == "/" && m.root == "/")
        BERTH_TRYV(do_mount("cgroup", dir, "cgroup", flags, join(controllers, ",")));
    else
        BERTH_TRYV(bind_with_flags(source_in_mount(m, own_path), dir, flags));
    // Co-mounted controllers ("cpu,cpuacct") also answer to each name, as systemd lays
    // out the host tree.
    if (controllers.size() < 2) return {};
    for (auto& c : controllers) {
        std::string link = path_join(target, c);
        if (c == name || path_exists(link)) continue;
        if (::symlink(name.c_str(), link.c_str()) != 0) return sys_fail("symlink " + link);
    }
    return {};
}

Result<void> mount_v1_view(const std::string& target, unsigned long flags,
                           const std::string& host_root) {
    auto own = BERTH_TRY(read_proc_cgroup());
    auto mounts = BERTH_TRY(read_mountinfo());
    BERTH_TRYV(do_mount("tmpfs", target, "tmpfs", flags & ~MS_RDONLY, "mode=755"));
    // On failure, one lazy detach takes the tmpfs and everything mounted under it.
    ScopeExit unmount([&] { ::umount2(target.c_str(), MNT_DETACH); });
    for (auto& m : mounts) {
        if (m.fs_type != "cgroup" || parent_dir(m.mount_point) != host_root) continue;
        auto controllers = v1_controllers(m.super_options);
        auto own_path = own_v1_path(own, controllers);
        if (controllers.empty() || !own_path) continue;
        BERTH_TRYV(mount_v1_hierarchy(target, m, controllers, *own_path, flags));
    }
    if (flags & MS_RDONLY)
        BERTH_TRYV(do_mount("", target, nullptr, MS_BIND | MS_REMOUNT | flags, ""));
    unmount.dismiss();
    return {};
}

}  // namespace

namespace cgroup_detail {

Result<void> mount_cgroup2_view(const std::string& target, unsigned long flags,
                                const std::string& host_mount, const std::string& own_path) {
    if (own_path == "/") return do_mount("cgroup2", target, "cgroup2", flags, "");
    return bind_with_flags(path_join(host_mount, own_path), target, flags);
}

}  // namespace cgroup_detail

Result<void> mount_cgroup_fs(const std::string& target, unsigned long flags) {
    auto ctx = "mount cgroup filesystem at " + target;
    flags = view_flags(flags);
    const std::string host_root = CgroupRoot{}.mount_point;
    if (detect_cgroup_version({host_root}) == CgroupVersion::v1)
        return with_context(mount_v1_view(target, flags, host_root), ctx);
    auto own = BERTH_TRY(with_context(read_proc_cgroup(), ctx));
    auto it = own.find("");
    if (it == own.end()) return fail(ctx + ": no cgroup v2 entry in /proc/self/cgroup");
    return with_context(mount_cgroup2_view(target, flags, host_root, it->second), ctx);
}

}  // namespace berth::runtime

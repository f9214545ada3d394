// The order of the rootfs steps, after runc's prepareRoot/prepareRootfs and
// finalizeRootfs; each step lives in its own file (rootfs_steps.hpp).
#include "runtime/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <array>

#include "base/file.hpp"
#include "runtime/rootfs_steps.hpp"
#include "runtime/safe_path.hpp"

namespace berth::runtime {
namespace {

const oci::Linux kNoLinux{};

const oci::Linux& linux_of(const RootfsSpec& s) {
    return s.config->linux_ ? *s.config->linux_ : kNoLinux;
}

Result<void> check_spec(const RootfsSpec& s) {
    if (!s.config) return fail("rootfs: no config");
    if (!s.rootfs.starts_with('/')) return fail("rootfs " + s.rootfs + ": must be absolute");
    return {};
}

// pivot_root(2) refuses a new root whose parent mount is shared. With the default
// rslave nothing is shared any more; with rootfsPropagation "(r)shared" the mount
// holding the rootfs directory is made private first, as runc does.
Result<void> make_parent_mount_private(const std::string& rootfs) {
    std::string dir = rootfs;
    do {
        size_t slash = dir.rfind('/');
        dir.resize(slash == 0 ? 1 : slash);  // keep "/" itself
        struct statx sx {};
        if (::statx(AT_FDCWD, dir.c_str(), 0, STATX_BASIC_STATS, &sx) != 0)
            return sys_fail("statx " + dir);
        if (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) break;
    } while (dir != "/");
    if (::mount("", dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
        return sys_fail("make " + dir + " private");
    return {};
}

Result<void> isolate_root(const RootfsSpec& s) {
    unsigned long prop = BERTH_TRY(parse_root_propagation(linux_of(s).rootfs_propagation));
    if (prop == 0) prop = MS_SLAVE | MS_REC;  // runc's default: host mounts flow in, none out
    if (::mount("", "/", nullptr, prop, nullptr) != 0) return sys_fail("set propagation of /");
    if (prop & MS_SHARED) BERTH_TRYV(make_parent_mount_private(s.rootfs));
    // pivot_root needs new_root to be a mount point.
    if (::mount(s.rootfs.c_str(), s.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return sys_fail("bind rootfs " + s.rootfs + " onto itself");
    return {};
}

std::string describe(size_t i, const oci::Mount& m) {
    std::string type = m.type.empty() ? "bind" : m.type;
    return "mount " + std::to_string(i) + " (" + type + " on " + m.destination + ")";
}

Result<void> finish_root(const RootfsSpec& s) {
    const oci::Linux& lx = linux_of(s);
    for (const auto& p : lx.readonly_paths) BERTH_TRYV(make_readonly_path(p));
    for (const auto& p : lx.masked_paths) BERTH_TRYV(mask_path(p));
    if (s.config->root.readonly)
        BERTH_TRYV_CTX(set_mount_flags("/", MS_RDONLY, 0, false), "make root read-only");
    // The pivot left "/" with the propagation it had as the rootfs bind; a config
    // asking for e.g. rshared wants it on the container's "/" itself.
    unsigned long prop = BERTH_TRY(parse_root_propagation(lx.rootfs_propagation));
    if (prop != 0 && ::mount("", "/", nullptr, prop, nullptr) != 0)
        return sys_fail("set rootfsPropagation " + lx.rootfs_propagation + " on /");
    return {};
}

}  // namespace

Result<unsigned long> parse_root_propagation(const std::string& value) {
    struct Entry {
        const char* name;
        unsigned long flags;
    };
    static constexpr std::array<Entry, 8> kEntries{{
        {"shared", MS_SHARED},
        {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},
        {"rslave", MS_SLAVE | MS_REC},
        {"private", MS_PRIVATE},
        {"rprivate", MS_PRIVATE | MS_REC},
        {"unbindable", MS_UNBINDABLE},
        {"runbindable", MS_UNBINDABLE | MS_REC},
    }};
    if (value.empty()) return 0UL;
    for (const auto& e : kEntries)
        if (value == e.name) return e.flags;
    return fail("rootfsPropagation " + value +
                ": unknown (want shared, slave, private, "
                "unbindable or their r-prefixed forms)");
}

Result<void> prepare_rootfs(const RootfsSpec& s) {
    BERTH_TRYV(check_spec(s));
    BERTH_TRYV(isolate_root(s));
    // Opened after the self-bind, so it names the new mount, not the one beneath.
    auto root = BERTH_TRY(open_fd(s.rootfs, O_PATH | O_DIRECTORY));
    RootfsContext ctx;
    ctx.before_cgroup_mount = &s.before_cgroup_mount;
    ctx.root_fd = root.get();
    ctx.root_path = BERTH_TRY(verified_path(root.get(), "/"));
    ctx.in_user_namespace = s.in_user_namespace;
    const auto* net = linux_of(s).find_namespace(oci::NamespaceType::network);
    ctx.new_network_namespace = net && net->path.empty();
    const auto& mounts = s.config->mounts;
    for (size_t i = 0; i < mounts.size(); ++i)
        BERTH_TRYV_CTX(mount_config_entry(ctx, mounts[i]), describe(i, mounts[i]));
    return setup_dev(ctx, *s.config);
}

Result<void> enter_rootfs(const RootfsSpec& s) {
    BERTH_TRYV(check_spec(s));
    if (s.no_pivot)
        BERTH_TRYV(chroot_into(s.rootfs));
    else
        BERTH_TRYV(pivot_into(s.rootfs));
    return finish_root(s);
}

}  // namespace berth::runtime

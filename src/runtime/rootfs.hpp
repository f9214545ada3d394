// The container's filesystem view, built inside its new mount namespace by the
// container init: root propagation, the rootfs bind, config.json mounts, /dev,
// then pivot_root (or chroot with --no-pivot), then masked and read-only paths.
// Every path inside the rootfs is resolved without leaving it, so a symlink in an
// image (or a mount destination through one) can never point a mount at the host.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

struct RootfsSpec {
    const oci::Config* config = nullptr;
    std::string rootfs;              // absolute host path of root.path
    bool no_pivot = false;           // --no-pivot: MS_MOVE + chroot instead of pivot_root
    bool in_user_namespace = false;  // devices are bind-mounted, not mknod'ed
    // Called once, before the first "cgroup" mount: the runtime moves the
    // container into its cgroup while the rootfs is being built, and this waits
    // for that (and unshares the cgroup namespace) so the mount shows the
    // container's own cgroup. May be empty.
    std::function<Result<void>()> before_cgroup_mount;
};

// Step 1, before createContainer hooks: propagation, rootfs bind, every mount
// (missing mount points created, options applied, bind onto symlinks kept inside),
// default /dev and linux.devices, /dev/{fd,stdin,stdout,stderr,ptmx} links,
// /dev/pts and /dev/shm when the config mounts them.
Result<void> prepare_rootfs(const RootfsSpec& s);

// Step 2, after createContainer hooks: pivot_root (or chroot), chdir("/"), then
// masked paths, read-only paths, root.readonly, rootfsPropagation on the new root.
Result<void> enter_rootfs(const RootfsSpec& s);

// linux.sysctl, written under /proc/sys after enter_rootfs.
Result<void> apply_sysctl(const std::map<std::string, std::string>& sysctl);

// Parses mount options into flags/propagation/data, shared by mounts and tests.
// MS_BIND and MS_REC are not put in `flags`: "bind"/"rbind" set `bind`/`recursive`
// and the caller decides how to mount. A later option overrides an earlier one.
struct MountOptions {
    unsigned long flags = 0;        // MS_* to set
    unsigned long clear_flags = 0;  // MS_* explicitly cleared ("rw", "suid", ...)
    unsigned long propagation = 0;  // MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE [|MS_REC]
    bool bind = false, recursive = false;
    bool tmpcopyup = false;  // runc extension: copy the covered dir into the tmpfs
    std::string data;        // filesystem-specific ("size=64m,mode=755")
};
MountOptions parse_mount_options(const std::vector<std::string>& options);

}  // namespace berth::runtime

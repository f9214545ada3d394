// The steps prepare_rootfs and enter_rootfs are made of, one file each; internal
// to the rootfs module (tests may call them).
#pragma once

#include <functional>
#include <string>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// What every step inside the not-yet-pivoted rootfs needs.
struct RootfsContext {
    int root_fd = -1;       // O_PATH fd of the rootfs (after its self-bind)
    std::string root_path;  // canonical host path of that directory
    bool in_user_namespace = false;
    bool new_network_namespace = false;  // sysfs can only be mounted with one (in a userns)
    const std::function<Result<void>()>* before_cgroup_mount = nullptr;
};

// mount_attr.cpp: sets/clears per-mount flags (MS_RDONLY, MS_NOSUID, MS_NODEV,
// MS_NOEXEC, atime modes, MS_NODIRATIME, MS_NOSYMFOLLOW; superblock flags are
// ignored) on the mount at `target`, and on every mount below it if `recursive`.
// Flags not named are kept, so flags the kernel locked in a user namespace survive.
Result<void> set_mount_flags(const std::string& target, unsigned long set, unsigned long clear,
                             bool recursive);

// mounts.cpp: one config.json mount, target created and resolved inside the root.
Result<void> mount_config_entry(const RootfsContext& ctx, const oci::Mount& m);

// proc_destination.cpp: refuses a mount inside /proc (resolved, container-relative
// path) unless runc would allow it; `bind_source` is empty for non-binds.
Result<void> check_proc_destination(const std::string& resolved, const std::string& type,
                                    const std::string& bind_source);

// devices.cpp: default devices, linux.devices, the /dev symlinks; nothing when the
// config bind-mounts /dev itself (the host's /dev is then what the user wants).
Result<void> setup_dev(const RootfsContext& ctx, const oci::Config& config);

// pivot.cpp: makes `rootfs` the process's "/" (cwd "/" too).
Result<void> pivot_into(const std::string& rootfs);
Result<void> chroot_into(const std::string& rootfs);  // --no-pivot: MS_MOVE + chroot

// masked_paths.cpp, after the pivot: hides (masks) or write-protects a path;
// a missing path is not an error.
Result<void> mask_path(const std::string& path);
Result<void> make_readonly_path(const std::string& path);

// rootfs.cpp: "rslave" -> MS_SLAVE|MS_REC; empty -> 0; anything else an error.
Result<unsigned long> parse_root_propagation(const std::string& value);

}  // namespace berth::runtime

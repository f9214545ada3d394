// linux.maskedPaths and linux.readonlyPaths (config-linux.md), applied after the
// pivot, so every path is already confined to the container's root. Missing paths
// are skipped: the default lists name /proc files that not every kernel has.
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime/rootfs_steps.hpp"

namespace berth::runtime {

// A directory gets an empty read-only tmpfs over it, anything else /dev/null
// bound over it: reads see nothing, writes fail.
Result<void> mask_path(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return {};
        return sys_fail("mask " + path);
    }
    if (S_ISDIR(st.st_mode)) {
        if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, "size=0k") != 0)
            return sys_fail("mask " + path + ": mount tmpfs");
        return {};
    }
    if (::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0)
        return sys_fail("mask " + path + ": bind /dev/null");
    return {};
}

// Bound onto itself (recursively) so the flags change only here, then made
// read-only, nosuid, nodev, noexec without dropping flags it already has.
Result<void> make_readonly_path(const std::string& path) {
    if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        if (errno == ENOENT) return {};
        return sys_fail("readonly " + path + ": bind");
    }
    return with_context(
        set_mount_flags(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, true),
        "readonly " + path);
}

}  // namespace berth::runtime

// Changing the flags of an existing mount (a bind's "ro", readonlyPaths,
// root.readonly). mount_setattr(2) (Linux 5.12) changes only the attributes named
// and can recurse over submounts; the classic MS_REMOUNT|MS_BIND replaces all the
// per-mount flags at once and fails with EPERM when it would drop one the kernel
// locked (a mount inherited into a user namespace keeps its nosuid/nodev/ro), so
// the fallback must first read the current flags back with statvfs.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cstdint>

#include "runtime/rootfs_steps.hpp"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

namespace berth::runtime {
namespace {

struct Attrs {
    uint64_t set = 0, clear = 0;
};

Attrs to_mount_attrs(unsigned long set, unsigned long clear) {
    struct Pair {
        unsigned long ms;
        uint64_t attr;
    };
    static constexpr Pair kPairs[] = {
        {MS_RDONLY, MOUNT_ATTR_RDONLY},         {MS_NOSUID, MOUNT_ATTR_NOSUID},
        {MS_NODEV, MOUNT_ATTR_NODEV},           {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
        {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
    };
    Attrs a;
    for (const auto& p : kPairs) {
        if (set & p.ms) a.set |= p.attr;
        if (clear & p.ms) a.clear |= p.attr;
    }
    // The atime mode is one field: setting one mode means clearing the field.
    if (set & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
        a.clear |= MOUNT_ATTR__ATIME;
        if (set & MS_NOATIME)
            a.set |= MOUNT_ATTR_NOATIME;
        else if (set & MS_STRICTATIME)
            a.set |= MOUNT_ATTR_STRICTATIME;
        else
            a.set |= MOUNT_ATTR_RELATIME;
    }
    return a;
}

int setattr(const std::string& target, bool recursive, Attrs a) {
    mount_attr attr{};
    attr.attr_set = a.set;
    attr.attr_clr = a.clear;
    unsigned int flags = recursive ? AT_RECURSIVE : 0;
    return ::mount_setattr(AT_FDCWD, target.c_str(), flags, &attr, sizeof attr);
}

// Kernels without mount_setattr: one remount of the top mount only.
Result<void> remount_keeping_flags(const std::string& target, unsigned long set,
                                   unsigned long clear) {
    struct statvfs sv {};
    if (::statvfs(target.c_str(), &sv) != 0) return sys_fail("statvfs " + target);
    // ST_* per-mount bits have the MS_* values (statvfs(3), sys/mount.h).
    const unsigned long kept =
        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;
    unsigned long flags = ((sv.f_flag & kept) | set) & ~clear;
    if (::mount("", target.c_str(), nullptr, MS_REMOUNT | MS_BIND | flags, nullptr) != 0)
        return sys_fail("remount " + target);
    return {};
}

}  // namespace

Result<void> set_mount_flags(const std::string& target, unsigned long set, unsigned long clear,
                             bool recursive) {
    Attrs a = to_mount_attrs(set, clear);
    if (a.set == 0 && a.clear == 0) return {};
    if (setattr(target, recursive, a) == 0) return {};
    if (errno == ENOSYS) return remount_keeping_flags(target, set, clear);
    // Clearing a flag the kernel locked is refused; keeping it is what runc does
    // (its remount re-adds the locked flags), so retry with only the additions.
    if (errno == EPERM && a.clear != 0) {
        a.clear &= MOUNT_ATTR__ATIME;  // still needed to select an atime mode
        if (a.set == 0 && a.clear == 0) return {};
        if (setattr(target, recursive, a) == 0) return {};
    }
    return sys_fail("mount_setattr " + target);
}

}  // namespace berth::runtime

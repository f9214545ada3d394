// Switching "/" to the prepared rootfs.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/file.hpp"
#include "runtime/rootfs_steps.hpp"

namespace berth::runtime {

// pivot_root(".", ".") stacks the old root on top of the new one at "/" (allowed
// since Linux 3.17, see pivot_root(2) NOTES), so no put_old directory is needed
// inside the image. The old root is then reached through an fd opened beforehand,
// made a slave so the detach cannot propagate to the host, and lazily unmounted.
Result<void> pivot_into(const std::string& rootfs) {
    auto old_root = BERTH_TRY(open_fd("/", O_DIRECTORY | O_RDONLY));
    auto new_root = BERTH_TRY(open_fd(rootfs, O_DIRECTORY | O_RDONLY));
    if (::fchdir(new_root.get()) != 0) return sys_fail("chdir " + rootfs);
    if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_fail("pivot_root " + rootfs);
    if (::fchdir(old_root.get()) != 0) return sys_fail("chdir to old root");
    if (::mount("", ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
        return sys_fail("make old root rslave");
    if (::umount2(".", MNT_DETACH) != 0) return sys_fail("unmount old root");
    if (::chdir("/") != 0) return sys_fail("chdir /");
    return {};
}

// --no-pivot (e.g. a rootfs on a ramfs, where pivot_root is refused): move the
// rootfs mount over "/" and chroot into it. The host's mounts stay reachable
// underneath, which is why pivot_root is the default.
Result<void> chroot_into(const std::string& rootfs) {
    if (::chdir(rootfs.c_str()) != 0) return sys_fail("chdir " + rootfs);
    if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
        return sys_fail("move " + rootfs + " to /");
    if (::chroot(".") != 0) return sys_fail("chroot " + rootfs);
    if (::chdir("/") != 0) return sys_fail("chdir /");
    return {};
}

}  // namespace berth::runtime

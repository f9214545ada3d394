// mount_overlay: checks the spec, picks how to hand the layers to the kernel
// (overlay_mount_fsconfig.cpp or overlay_mount_legacy.cpp) and owns the result.
#include "image/overlay_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include "base/file.hpp"
#include "image/overlay_mount_internal.hpp"

namespace berth::image {

OverlayMount& OverlayMount::operator=(OverlayMount&& o) noexcept {
    if (this != &o) {
        (void)unmount();
        target_ = std::exchange(o.target_, {});
    }
    return *this;
}

OverlayMount::~OverlayMount() { (void)unmount(); }

Result<void> OverlayMount::unmount() {
    if (target_.empty()) return {};
    // MNT_DETACH: a process still inside the rootfs must not make teardown fail;
    // the kernel frees the overlay once the last user is gone.
    if (::umount2(target_.c_str(), MNT_DETACH) != 0) return sys_fail("unmount overlay " + target_);
    target_.clear();
    return {};
}

namespace overlay_internal {
namespace {

Result<void> check_path(const std::string& path, const std::string& what) {
    if (path.empty() || path[0] != '/')
        return fail_as(ErrorKind::invalid_argument,
                       what + ": path \"" + path + "\" must be absolute (the kernel would resolve "
                                                   "it against the daemon's working directory)");
    return {};
}

}  // namespace

Result<void> validate(const OverlaySpec& spec) {
    const size_t n = spec.lower_dirs.size();
    if (n == 0) return fail_as(ErrorKind::invalid_argument, "an overlay needs at least one lower layer");
    if (n > kMaxOverlayLowers)
        return fail_as(ErrorKind::invalid_argument,
                       std::to_string(n) + " lower layers exceed overlayfs' limit of " +
                           std::to_string(kMaxOverlayLowers) +
                           " (OVL_MAX_STACK); squash the image into fewer layers");
    if (spec.upper_dir.empty() != spec.work_dir.empty())
        return fail_as(ErrorKind::invalid_argument,
                       "upper_dir and work_dir go together (upper \"" + spec.upper_dir +
                           "\", work \"" + spec.work_dir + "\")");
    for (size_t i = 0; i < n; ++i)
        BERTH_TRYV(check_path(spec.lower_dirs[i],
                              "lower layer " + std::to_string(i + 1) + " of " + std::to_string(n)));
    if (!spec.upper_dir.empty()) {
        BERTH_TRYV(check_path(spec.upper_dir, "upper_dir"));
        BERTH_TRYV(check_path(spec.work_dir, "work_dir"));
    }
    return {};
}

bool kernel_has_lowerdir_add() {
    static const bool has = [] {
        UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
        // ENOSYS (< 5.2) or no overlayfs: mount(2) will report the real problem.
        if (!fs) return false;
        // /proc/self/fd/-1 never exists, so a kernel that parses the key says ENOENT.
        int rc = ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", "/proc/self/fd/-1/x", 0);
        return rc != 0 && errno == ENOENT;
    }();
    return has;
}

std::string escape_path(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
        if (c == '\\' || c == ':' || c == ',') out += '\\';
        out += c;
    }
    return out;
}

Result<PinnedDir> pin_dir(const std::string& path) {
    PinnedDir pin;
    pin.fd = BERTH_TRY(open_fd(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
    pin.proc_path = "/proc/self/fd/" + std::to_string(pin.fd.get());
    return pin;
}

}  // namespace overlay_internal

Result<OverlayMount> mount_overlay(const OverlaySpec& spec, const std::string& target) {
    using namespace overlay_internal;
    BERTH_TRYV(validate(spec));
    auto mounted = kernel_has_lowerdir_add() ? mount_layer_by_layer(spec, target)
                                             : mount_legacy(spec, target);
    BERTH_TRYV_CTX(mounted, "mount overlay of " + std::to_string(spec.lower_dirs.size()) +
                                " layers at " + target);
    return OverlayMount(target);
}

}  // namespace berth::image

// Strategy 2 (kernels without "lowerdir+", e.g. Debian 12's 6.1): mount(2) with all
// layers in one "lowerdir=top:...:base" option. The kernel copies the option
// string into one page and silently cuts what doesn't fit, so the length is
// checked here; when real paths are too long, each directory is named by a short
// /proc/self/fd/N of an O_PATH descriptor held until mount(2) has resolved it.
#include <sys/mount.h>

#include "image/overlay_mount_internal.hpp"

namespace berth::image::overlay_internal {

std::string legacy_options(const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work) {
    std::string out = "lowerdir=";
    for (size_t i = lowers.size(); i-- > 0;) {
        out += escape_path(lowers[i]);
        if (i > 0) out += ':';
    }
    if (!upper.empty()) out += ",upperdir=" + escape_path(upper) + ",workdir=" + escape_path(work);
    for (const auto& opt : kFixedOptions) out += std::string(",") + opt.key + "=" + opt.value;
    return out;
}

namespace {

// Pins every directory of `spec`; `names` gets their /proc/self/fd/N paths in the
// same shape (lowers base first, then upper and work).
Result<std::vector<PinnedDir>> pin_all(const OverlaySpec& spec, OverlaySpec& names) {
    std::vector<PinnedDir> pins;
    auto pin = [&](const std::string& path) -> Result<std::string> {
        pins.push_back(BERTH_TRY(pin_dir(path)));
        return pins.back().proc_path;
    };
    for (const auto& dir : spec.lower_dirs) names.lower_dirs.push_back(BERTH_TRY(pin(dir)));
    if (!spec.upper_dir.empty()) {
        names.upper_dir = BERTH_TRY(pin(spec.upper_dir));
        names.work_dir = BERTH_TRY(pin(spec.work_dir));
    }
    return pins;
}

}  // namespace

Result<void> mount_legacy(const OverlaySpec& spec, const std::string& target) {
    std::string data = legacy_options(spec.lower_dirs, spec.upper_dir, spec.work_dir);
    std::vector<PinnedDir> pins;  // must outlive the mount(2) call
    if (data.size() > kLegacyOptionsMax) {
        OverlaySpec names;
        pins = BERTH_TRY(pin_all(spec, names));
        data = legacy_options(names.lower_dirs, names.upper_dir, names.work_dir);
        if (data.size() > kLegacyOptionsMax)
            return fail(std::to_string(spec.lower_dirs.size()) + " layers need " +
                        std::to_string(data.size()) +
                        " bytes of mount options even as /proc/self/fd paths, more than the " +
                        std::to_string(kLegacyOptionsMax) +
                        " mount(2) accepts; this kernel lacks overlayfs' \"lowerdir+\" (Linux "
                        "6.8) that lifts the limit: squash the image into fewer layers");
    }
    if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0)
        return sys_fail("mount(2) overlay (the kernel log says why overlayfs refused)");
    return {};
}

}  // namespace berth::image::overlay_internal

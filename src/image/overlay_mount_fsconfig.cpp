// Strategy 1 (Linux >= 6.8): the new mount API, one fsconfig call per layer.
// Each "lowerdir+" value is a single path taken literally (no ':' splitting, no
// unescaping), so the stack has no length limit; upperdir and workdir are still
// unescaped by overlayfs, so they are escaped here.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string_view>

#include "image/overlay_mount_internal.hpp"

namespace berth::image::overlay_internal {
namespace {

// fsconfig copies a string value with strndup_user(value, 256): 255 bytes and a NUL.
constexpr size_t kFsconfigValueMax = 255;

// The fs_context's log ("e overlay: ..."), where overlayfs says why it refused.
std::string read_fs_log(int fs_fd) {
    std::string out;
    char buf[512];
    for (;;) {
        ssize_t n = ::read(fs_fd, buf, sizeof buf);
        if (n <= 0) break;
        std::string_view msg(buf, static_cast<size_t>(n));
        while (!msg.empty() && msg.back() == '\n') msg.remove_suffix(1);
        if (!out.empty()) out += "; ";
        out += msg;
    }
    return out;
}

std::unexpected<Error> fs_fail(int fs_fd, std::string what) {
    int err = errno;
    std::string log = read_fs_log(fs_fd);
    if (!log.empty()) what += " [" + log + "]";
    return sys_fail(what, err);
}

Result<void> set_string(int fs_fd, const char* key, const std::string& value) {
    if (::fsconfig(fs_fd, FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0)
        return fs_fail(fs_fd, std::string("fsconfig ") + key + "=" + value);
    return {};
}

// Sets a layer key to `value`, or to a /proc/self/fd/N name of `path` when the value
// is too long for fsconfig. overlayfs resolves the path during the call, so the
// descriptor may close right after.
Result<void> set_layer(int fs_fd, const char* key, const std::string& path,
                       const std::string& value) {
    if (value.size() <= kFsconfigValueMax) return set_string(fs_fd, key, value);
    auto pin = BERTH_TRY(pin_dir(path));
    return with_context(set_string(fs_fd, key, pin.proc_path), path);
}

}  // namespace

Result<void> mount_layer_by_layer(const OverlaySpec& spec, const std::string& target) {
    UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
    if (!fs) return sys_fail("fsopen overlay");
    BERTH_TRYV(set_string(fs.get(), "source", "overlay"));
    // overlayfs stacks "lowerdir+" top first; an image lists its layers base first.
    const size_t n = spec.lower_dirs.size();
    for (size_t i = n; i-- > 0;) {
        const std::string& dir = spec.lower_dirs[i];
        BERTH_TRYV_CTX(set_layer(fs.get(), "lowerdir+", dir, dir),
                       "layer " + std::to_string(i + 1) + " of " + std::to_string(n));
    }
    if (!spec.upper_dir.empty()) {
        BERTH_TRYV(set_layer(fs.get(), "upperdir", spec.upper_dir, escape_path(spec.upper_dir)));
        BERTH_TRYV(set_layer(fs.get(), "workdir", spec.work_dir, escape_path(spec.work_dir)));
    }
    for (const auto& opt : kFixedOptions) BERTH_TRYV(set_string(fs.get(), opt.key, opt.value));
    if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        return fs_fail(fs.get(), "create overlay");
    UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
    if (!mnt) return fs_fail(fs.get(), "fsmount overlay");
    if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return sys_fail("move_mount to " + target);
    return {};
}

}  // namespace berth::image::overlay_internal

// The two ways overlay_mount.hpp hands layers to the kernel, exposed so tests can
// force the one this kernel would not pick.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "image/overlay_mount.hpp"

namespace berth::image::overlay_internal {

// The options every overlay gets besides its layers (see overlay_mount.hpp).
struct FixedOption {
    const char* key;
    const char* value;
};
inline constexpr FixedOption kFixedOptions[] = {
    {"index", "off"}, {"redirect_dir", "off"}, {"metacopy", "off"}};

// mount(2) copies its data argument into one page; the string and its NUL must fit.
inline constexpr size_t kLegacyOptionsMax = 4095;

// Checks what the kernel would otherwise reject with a bare EINVAL.
Result<void> validate(const OverlaySpec& spec);

// Whether overlayfs takes one layer per fsconfig "lowerdir+" call (Linux >= 6.8).
// Probed once per process: a "lowerdir+" naming a missing path fails with ENOENT
// only where the key is understood (6.5-6.7 say EINVAL; before 6.5 the generic
// adapter accepts any key and fails only at create).
bool kernel_has_lowerdir_add();

// Escapes '\\', ':' and ',' with a backslash, as overlayfs unescapes layer paths
// (':' separates lowers, ',' separates mount options).
std::string escape_path(std::string_view path);

// An O_PATH descriptor of a layer directory and its short "/proc/self/fd/N" name,
// for when the real path is too long for the kernel's buffer.
struct PinnedDir {
    UniqueFd fd;
    std::string proc_path;
};
Result<PinnedDir> pin_dir(const std::string& path);

// Strategy 1: fsopen + one fsconfig "lowerdir+" per layer + fsmount + move_mount.
Result<void> mount_layer_by_layer(const OverlaySpec& spec, const std::string& target);

// Strategy 2: mount(2) with one option string, real paths if they fit in a page,
// else /proc/self/fd/N paths, else an error naming the layer count and the limit.
Result<void> mount_legacy(const OverlaySpec& spec, const std::string& target);

// The mount(2) option string for `paths` (as given, lowers base first); empty
// upper and work are left out.
std::string legacy_options(const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work);

}  // namespace berth::image::overlay_internal

// Resolving layer entry paths strictly beneath a layer's root directory. Internal
// to src/image (layer_apply). Every lookup is an openat2(RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS) from the root fd: no "..", no absolute path, no symlink on
// the way, so nothing an archive says can reach outside the root. A path through
// a symlink can not come from a real file tree, so it is refused rather than
// followed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::image {

// An entry path split into components, "./" and "//" dropped. Refuses absolute
// paths and ".." anywhere (errors name the path); "." or "./" gives no components.
Result<std::vector<std::string>> split_layer_path(std::string_view path);

// Opens (O_PATH) the directory made of the first `count` components of `parts`,
// beneath `root_fd`. With `create`, missing directories are made (0755, owned by
// the caller). A symlink or non-directory on the way is an error.
Result<UniqueFd> open_dir_beneath(int root_fd, const std::vector<std::string>& parts, std::size_t count,
                                  bool create);

// Removes `name` in `dir_fd` whatever it is; a directory with all it holds.
// A missing name is fine.
Result<void> remove_all_at(int dir_fd, const std::string& name);

// "/proc/self/fd/<dir_fd>/<name>": for the l*xattr calls, which have no *at form
// in glibc; the last component is not followed.
std::string proc_path_at(int dir_fd, const std::string& name);

}  // namespace berth::image

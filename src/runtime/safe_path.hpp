// Paths inside a container rootfs, resolved as if the rootfs were "/": an absolute
// symlink, or ".." at the top, lands on the rootfs root, never on the host. An
// image (or a mount destination through a symlink) can therefore not aim a mount
// or a mknod at a host path. Everything is done relative to directory fds.
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::runtime {

// Opens `path` (absolute or relative, both taken from root_fd) with
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). `flags` default to O_PATH;
// O_CLOEXEC is always added. A trailing symlink is followed, inside the root.
Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags = O_PATH);

enum class Create { directory, file };

// Like open_in_root (returns an O_PATH fd), but creates what is missing: every
// missing parent as a directory (`mode`), the last component as `last` (a file is
// created empty, mode 0644). A dangling symlink on the way is resolved and its
// target created inside the root, as runc's securejoin.MkdirAll does. Existing
// components are kept whatever they are; a non-directory parent fails (ENOTDIR).
Result<UniqueFd> create_in_root(int root_fd, std::string_view path, Create last,
                                mode_t mode = 0755);

// "/proc/self/fd/N": mount(2) and friends follow it to exactly the opened inode.
std::string fd_path(int fd);

// The absolute path an fd refers to (readlink of fd_path), checked to be `root`
// or beneath it; for APIs that need a string path (and for error messages).
Result<std::string> verified_path(int fd, const std::string& root);

}  // namespace berth::runtime

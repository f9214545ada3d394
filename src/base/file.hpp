// Small file helpers with errors that name the path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <string_view>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth {

Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode = 0);
Result<std::string> read_file(const std::string& path);
Result<std::string> read_fd(int fd);
// Writes all of `data` to an existing file without O_TRUNC/O_CREAT (cgroup and
// /proc files want exactly one write).
Result<void> write_existing(const std::string& path, std::string_view data);
Result<void> write_all(int fd, std::string_view data);
// Whether a write must survive a crash of the machine (fsync) or only be seen
// whole (runtime state under /run, which a reboot clears anyway).
enum class Durability { durable, until_reboot };
// Writes via a temporary in the same directory (fsync'ed when durable) and a
// rename: readers never see it half-written.
Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644,
                               Durability d = Durability::durable);
// mkdir -p; existing directories are fine.
Result<void> mkdir_p(const std::string& path, mode_t mode = 0755);
bool path_exists(const std::string& path);
// The entries of directory `dir_fd` but "." and "..", sorted bytewise (so what is
// built from them, archives or change lists, is reproducible).
Result<std::vector<std::string>> sorted_dir_names(int dir_fd);
// "a//b/./c/" -> {"a", "b", "c"}: the non-empty components other than ".";
// ".." is kept for the caller to resolve.
std::vector<std::string> path_components(std::string_view path);
// The bytes of regular files under `dir` (symlinks not followed); 0 when unreadable.
std::int64_t directory_size(const std::string& dir);
std::string path_join(std::string_view a, std::string_view b);

}  // namespace berth

// Paths of the container filesystem endpoints (archive, cp): how a path the client
// gives is resolved inside the container's root, and the stat docker sends in the
// X-Docker-Container-Path-Stat header.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::engine {

// A client path split as docker's container.ResolvePath does: the absolute,
// cleaned path with a trailing "/" or "/." kept (they change what cp copies), its
// directory part (resolved through symlinks) and its last component (not followed).
struct SplitPath {
    std::string abs;   // "/etc/hostname", "/etc/.", "/tmp/"
    std::string dir;   // "/etc/" (always ends with '/')
    std::string base;  // "hostname", ".", "" for "/tmp/" and "/"
};
SplitPath split_container_path(std::string_view path);

// filepath.Base of `abs`, as docker names the stat and the archive's top entry:
// "hostname", "." for "/etc/.", "tmp" for "/tmp/", "/" for "/".
std::string base_name(std::string_view abs);

// `path` with every symlink resolved as if `root_fd` were "/" (absolute targets and
// ".." stop at the root), for docker's linkTarget. A missing component ends the
// resolution: the rest is appended as it is.
Result<std::string> resolve_in_root(int root_fd, std::string_view path);

// os.FileMode bits Go gives `st_mode` (the type in the top bits, not in S_IFMT).
std::uint32_t go_file_mode(mode_t mode);

struct PathStat {
    std::string name;
    std::int64_t size = 0;
    std::uint32_t mode = 0;  // Go os.FileMode
    std::string mtime;       // RFC 3339 with nanoseconds
    std::string link_target;
};
PathStat path_stat(std::string name, const struct stat& st, std::string link_target);
// {"name","size","mode","mtime","linkTarget"}, as docker's types.ContainerPathStat.
Json path_stat_json(const PathStat& s);
// The header value: base64 of that JSON.
std::string path_stat_header(const PathStat& s);

}  // namespace berth::engine

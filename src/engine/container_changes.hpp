// What a container changed in its filesystem (GET /containers/{id}/changes, `docker
// diff`): read from its overlayfs upper directory against the image's layers.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"

namespace berth::engine {

// Docker's archive.ChangeType values, as the API sends them.
enum class ChangeKind { modified = 0, added = 1, deleted = 2 };

struct FsChange {
    std::string path;  // absolute in the container: "/etc/passwd"
    ChangeKind kind;
};

// The changes in the upper directory `upper_fd` over the lower layers `lower_fds`
// (any order), in the order docker's overlay walker reports them (names sorted,
// parents before children):
// - a 0/0 character device (whiteout) or an opaque directory is Deleted;
// - anything else is Modified when some lower layer has that path, else Added; a
//   directory found in a lower with the same mode, size and mtime is left out
//   (it was only copied up for a change beneath it);
// - the parent of an Added or Deleted path is reported Modified once, first.
// The files the runtime makes as mount targets (/etc/hostname, /etc/hosts,
// /etc/resolv.conf, /.dockerenv, /etc/mtab) and everything under /dev, /proc and
// /sys are left out, as docker keeps them in a hidden "init" layer; a directory
// whose only new entries are those doesn't count as changed either.
Result<std::vector<FsChange>> container_changes(int upper_fd, const std::vector<int>& lower_fds);

}  // namespace berth::engine

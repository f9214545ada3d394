// PUT /containers/{id}/archive: a tar (plain or compressed) unpacked into a
// directory of a container's root filesystem. Every path, the entries' own and
// those of hard links, is resolved as if the container root were "/" (symlinks in
// the container or made by earlier entries never lead outside it), and an entry
// whose name climbs above the destination with ".." is refused, as docker's
// chroot'ed untar refuses it ("breakout").
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/result.hpp"
#include "base/stream.hpp"

namespace berth::engine {

struct Owner {
    uid_t uid = 0;
    gid_t gid = 0;
};

struct ExtractOptions {
    // Refuse to replace a directory with a non-directory or the reverse (the
    // docker CLI always asks for this).
    bool no_overwrite_dir_non_dir = false;
    // copyUIDGID: every entry is owned by this user instead of the archive's ids.
    std::optional<Owner> owner;
};

// Unpacks `archive` into `dest` (absolute in the container, an existing directory)
// beneath `root_fd`, the container's root.
Result<void> extract_in_root(ByteReader& archive, int root_fd, const std::string& dest, const ExtractOptions& opts);

}  // namespace berth::engine

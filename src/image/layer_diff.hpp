// Writing a directory tree as a tar layer: the overlayfs upper directory of a
// container or build step becomes an image layer (the inverse of apply_layer), and
// any tree can be exported as a plain tar.
#pragma once

#include <string>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "image/digest.hpp"

namespace berth::image {

// Writes the overlayfs upper directory `upper_dirfd` as a layer tar into `out` and
// returns the sha256 of the tar (the layer's diff_id):
// - a 0/0 character device (overlayfs whiteout) becomes an empty ".wh.<name>";
// - a directory with trusted.overlay.opaque=y is written followed by
//   "<dir>/.wh..wh..opq";
// - files that share an inode are written once, then as hard links to that path;
// - xattrs are kept except overlayfs's own (trusted.overlay.*); sockets are skipped
//   (they cannot be carried by tar, as in Docker).
// Entries come in byte order of names, parents first, and mtimes are truncated to
// whole seconds (as Docker's layer tars), so the same tree always gives the same
// bytes and digest. The upper dir must have been made without overlayfs's
// redirect_dir and metacopy features, whose files only make sense with the lower
// layers present.
Result<Digest> write_layer_diff(int upper_dirfd, ByteWriter& out);

// Writes the tree under `dirfd` as a tar exactly as it is (a 0/0 device stays a
// device), in the same deterministic form; for export and for tests.
Result<void> write_tree_tar(int dirfd, ByteWriter& out);

// Writes the entry `name` of `dirfd` (a symlink itself, not what it names) as
// `archive_path`, followed by everything beneath it when it is a directory, in the
// same form: docker cp's archive of one path ("." for `dirfd` itself).
Result<void> write_entry_tar(int dirfd, const std::string& name, const std::string& archive_path,
                             ByteWriter& out);

}  // namespace berth::image

// Unpacking an image layer into its own snapshot directory, to serve as an
// overlayfs lower layer (the overlay2 model): the layer's AUFS-style whiteouts
// become overlayfs whiteouts, and nothing the archive says can write outside the
// directory.
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "image/digest.hpp"

namespace berth::image {

struct ApplyOptions {
    // Refuse character and block device entries (a rootless daemon cannot make
    // them; whiteouts are still made). A fifo is not a device.
    bool refuse_devices = false;
    // Bounds against archive bombs: tar entries, and bytes of regular-file data.
    std::uint64_t max_entries = 1u << 22;
    std::uint64_t max_unpacked_bytes = std::uint64_t{1} << 40;
};

struct AppliedLayer {
    Digest diff_id;               // sha256 of the uncompressed tar, every byte of it
    std::uint64_t unpacked_size;  // bytes of regular-file data written
    // The layer's size as docker reports it (overlay2 walks the layer directory):
    // regular-file data plus each symlink's target length; hard links add nothing.
    std::uint64_t disk_size;
};

// Unpacks `layer` (a tar, plain or gzip- or zstd-compressed) into the empty
// directory `dest_dirfd`:
// - files, dirs, symlinks, hard links (to an entry earlier in this same layer),
//   devices, fifos, with owner, mode (setuid bits too, set after the chown),
//   xattrs and mtimes (a directory's after all its children);
// - ".wh.<name>" becomes a 0/0 character device <name> (an overlayfs whiteout);
//   "<dir>/.wh..wh..opq" sets trusted.overlay.opaque=y on <dir>;
// - xattrs trusted.overlay.* in the archive are dropped (a layer must not forge
//   overlayfs metadata); a security.* xattr the filesystem or kernel refuses
//   (EPERM, EOPNOTSUPP: e.g. security.selinux without SELinux) is skipped, like
//   Docker; any other xattr failure is an error;
// - an entry whose path or hard-link target is absolute, contains "..", or goes
//   through a symlink is refused, and with it the whole layer (the caller discards
//   the directory), as Docker refuses such layers.
// The stream is read to its end so diff_id covers trailing padding too.
Result<AppliedLayer> apply_layer(ByteReader& layer, int dest_dirfd, const ApplyOptions& opts = {});

}  // namespace berth::image

// One member of a tar archive, as the reader yields it and the writer takes it.
// Shared by tar_reader and tar_writer so that a read entry can be written back as is.
#pragma once

#include <time.h>

#include <cstdint>
#include <map>
#include <string>

namespace berth::image {

struct TarEntry {
    // Relative path as stored (no trailing '/' on directories; the writer adds it).
    std::string path;
    // '0' file, '5' dir, '2' symlink, '1' hardlink, '3' chr, '4' blk, '6' fifo.
    char type = '0';
    std::string link;  // symlink target, or the archive path a hard link points to
    std::uint32_t mode = 0644;  // permission bits incl. setuid/setgid/sticky (07777)
    std::uint32_t uid = 0, gid = 0;
    std::int64_t size = 0;  // data bytes; non-zero only for regular files
    timespec mtime{};
    std::uint32_t devmajor = 0, devminor = 0;
    std::map<std::string, std::string> xattrs;  // "user.x" -> raw value
};

}  // namespace berth::image

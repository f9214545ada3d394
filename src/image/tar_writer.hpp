// Streaming tar writer: POSIX ustar headers, with a pax extended header in front of
// an entry whenever ustar cannot hold it (long paths or link targets, uids above
// 2097151, files of 8 GiB and more, sub-second or negative mtimes, xattrs), so GNU
// tar, Python's tarfile, Go's archive/tar (Docker) and berth's TarReader read it back.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "image/tar_entry.hpp"

namespace berth::image {

class TarWriter {
  public:
    explicit TarWriter(ByteWriter& out) : out_(out) {}

    // Writes one entry. A regular file's data comes from `body`, which must yield
    // exactly entry.size bytes (more or fewer is an error: the archive would be
    // misaligned); other types take no body.
    Result<void> add(const TarEntry& entry, ByteReader* body);

    // A regular file from memory, owned by root.
    Result<void> add_file(std::string path, std::string_view data, std::uint32_t mode = 0644,
                          timespec mtime = {});

    // Writes the end-of-archive marker (two zero blocks). Nothing may follow.
    Result<void> finish();

  private:
    Result<void> write_header(const TarEntry& e, std::string_view name, char type, std::int64_t size);
    ByteWriter& out_;
    bool finished_ = false;
};

}  // namespace berth::image

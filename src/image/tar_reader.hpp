// Streaming tar reader (POSIX ustar with the pax and GNU extensions that image
// layers use in practice): one pass over a ByteReader, nothing buffered beyond a
// header, so a multi-gigabyte layer flows from the network into the filesystem.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "image/tar_entry.hpp"

namespace berth::image {

class TarReader {
  public:
    explicit TarReader(ByteReader& in);
    ~TarReader();
    TarReader(const TarReader&) = delete;
    TarReader& operator=(const TarReader&) = delete;

    // The next entry, or nullopt at the end-of-archive marker (or a clean end of
    // the stream between entries). Skips whatever data of the previous entry was
    // not read. Extension headers (pax 'x', GNU 'L'/'K') are folded into the entry
    // they describe; a bad checksum, a malformed number or an unsupported type is an
    // error naming the entry.
    Result<std::optional<TarEntry>> next();

    // The current entry's data: exactly `size` bytes, then end of stream.
    ByteReader& body();

  private:
    class Body;
    Result<void> skip_rest();
    ByteReader& in_;
    std::unique_ptr<Body> body_;
    bool done_ = false;
};

}  // namespace berth::image

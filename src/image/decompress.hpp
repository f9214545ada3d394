// Layer compression: readers that undo gzip or zstd, chosen by the stream's magic
// bytes (OCI image-spec layer.md media types "+gzip" and "+zstd"), and a gzip
// writer for pushing layers.
#pragma once

#include <memory>
#include <string_view>

#include "base/result.hpp"
#include "base/stream.hpp"

namespace berth::image {

enum class Compression { None, Gzip, Zstd };

// What the first bytes of a stream say it is: gzip 1f 8b (RFC 1952), zstd
// 28 b5 2f fd (RFC 8878); anything else is taken as uncompressed.
Compression sniff_compression(std::string_view head);

// A reader of `in`'s uncompressed content (gzip with any number of members, zstd
// with any number of frames, or `in` itself), detected without losing the bytes
// looked at. `in` must outlive the result. A truncated or corrupt stream is an
// error from read(), not a short result.
Result<std::unique_ptr<ByteReader>> open_decompressed(ByteReader& in);

// A writer that must be told the data has ended (to flush a compressor's trailer).
class FinishingWriter : public ByteWriter {
  public:
    // Writes whatever is buffered and the trailer; nothing may be written after.
    virtual Result<void> finish() = 0;
};

// Compresses into `out` as one gzip member at `level` (1 fastest .. 9 smallest).
// `out` must outlive the result.
std::unique_ptr<FinishingWriter> make_gzip_writer(ByteWriter& out, int level = 6);

}  // namespace berth::image

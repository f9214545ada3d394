// The chunked transfer coding (RFC 9112 §7.1), shared by the daemon (request bodies
// in, event and progress streams out) and the client (the reverse).
#pragma once

#include <cstdint>
#include <string_view>

#include "http/socket_io.hpp"
#include "base/stream.hpp"

namespace berth::http {

// Decodes a chunked body as it arrives; trailer fields are read and dropped.
class ChunkedReader final : public ByteReader {
  public:
    explicit ChunkedReader(SocketReader& in) : in_(in) {}
    Result<std::size_t> read(char* buf, std::size_t size) override;

  private:
    Result<void> next_chunk();

    SocketReader& in_;
    std::uint64_t left_ = 0;  // bytes left in the current chunk
    bool started_ = false;
    bool done_ = false;
};

// Writes `data` as one chunk in one write, so a reader sees it at once (docker
// events). Empty data writes nothing: an empty chunk would end the body.
Result<void> write_chunk(ByteWriter& out, std::string_view data);
// Ends a chunked body (the zero-size chunk, no trailers).
Result<void> write_last_chunk(ByteWriter& out);

// A ByteWriter that chunk-encodes into `out`; finish() ends the body.
class ChunkedWriter final : public ByteWriter {
  public:
    explicit ChunkedWriter(ByteWriter& out) : out_(out) {}
    Result<void> write(std::string_view data) override { return write_chunk(out_, data); }
    Result<void> finish() { return write_last_chunk(out_); }

  private:
    ByteWriter& out_;
};

}  // namespace berth::http

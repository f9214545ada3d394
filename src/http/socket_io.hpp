// The two ends of an HTTP connection's socket. The reader buffers, because HTTP
// framing is found by scanning for line ends; whatever it read past a message
// (a pipelined request, the first bytes of a hijacked stream) stays available.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/stream.hpp"

namespace berth::http {

class SocketReader final : public ByteReader {
  public:
    explicit SocketReader(int fd) : fd_(fd) {}
    // Reads the connection's bytes through `transport` (a TLS session over `fd`)
    // instead of read(2), so the same HTTP framing serves registries over HTTPS.
    // `transport` must outlive the reader.
    SocketReader(int fd, ByteReader& transport) : fd_(fd), transport_(&transport) {}

    // Buffered bytes first, then the socket; 0 at the peer's end of stream.
    Result<std::size_t> read(char* buf, std::size_t size) override;

    enum class LineStatus { ok, eof, too_long };
    struct Line {
        LineStatus status = LineStatus::ok;
        std::string text;  // without the CRLF (or bare LF, which RFC 9112 §2.2 allows)
    };
    // One line of at most `max` bytes; eof when the stream ends before a line end.
    Result<Line> read_line(std::size_t max);

    bool has_buffered() const { return pos_ < buf_.size(); }
    // Hands over the bytes read from the socket but not yet consumed.
    std::string take_buffered();
    // Waits up to `timeout_ms` for something to read (buffered or on the socket);
    // false on timeout.
    Result<bool> wait_readable(int timeout_ms);

  private:
    Result<std::size_t> fill();

    Result<std::size_t> read_source(char* buf, std::size_t size);

    int fd_;
    ByteReader* transport_ = nullptr;  // null: read(2) on fd_
    std::string buf_;
    std::size_t pos_ = 0;
};

// Writes with send(MSG_NOSIGNAL): a peer that went away yields EPIPE as an
// error value instead of a process-killing SIGPIPE.
class SocketWriter final : public ByteWriter {
  public:
    explicit SocketWriter(int fd) : fd_(fd) {}
    Result<void> write(std::string_view data) override;

  private:
    int fd_;
};

}  // namespace berth::http

// Byte streams: the one currency for data that flows (a layer from a socket into the
// tar reader, a tar writer into an HTTP chunked body, a blob into the content store).
// Readers and writers compose: a decompressor is a ByteReader over a ByteReader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth {

class ByteReader {
  public:
    virtual ~ByteReader() = default;
    // Reads up to `size` bytes into `buf`; 0 means the end of the stream.
    virtual Result<std::size_t> read(char* buf, std::size_t size) = 0;
};

class ByteWriter {
  public:
    virtual ~ByteWriter() = default;
    // Writes all of `data` or fails.
    virtual Result<void> write(std::string_view data) = 0;
};

// Reads from an fd it does not own, retrying EINTR.
class FdReader final : public ByteReader {
  public:
    explicit FdReader(int fd) : fd_(fd) {}
    Result<std::size_t> read(char* buf, std::size_t size) override;

  private:
    int fd_;
};

// Writes to an fd it does not own, retrying short writes and EINTR.
class FdWriter final : public ByteWriter {
  public:
    explicit FdWriter(int fd) : fd_(fd) {}
    Result<void> write(std::string_view data) override;

  private:
    int fd_;
};

class StringReader final : public ByteReader {
  public:
    explicit StringReader(std::string_view data) : data_(data) {}
    Result<std::size_t> read(char* buf, std::size_t size) override;

  private:
    std::string_view data_;
};

class StringWriter final : public ByteWriter {
  public:
    Result<void> write(std::string_view data) override {
        out.append(data);
        return {};
    }
    std::string out;
};

// Passes reads through, copying every byte read into `copy` (a layer unpacked while
// it is also kept as a blob).
class TeeReader final : public ByteReader {
  public:
    TeeReader(ByteReader& in, ByteWriter& copy) : in_(in), copy_(copy) {}
    Result<std::size_t> read(char* buf, std::size_t size) override;

  private:
    ByteReader& in_;
    ByteWriter& copy_;
};

// Lets a reader look at a stream's first bytes (to sniff a format) and then read
// the stream from its start, those bytes included.
class PeekableReader final : public ByteReader {
  public:
    explicit PeekableReader(ByteReader& in) : in_(in) {}
    // Up to `n` first bytes (fewer when the stream is shorter).
    Result<std::string_view> peek(std::size_t n);
    Result<std::size_t> read(char* buf, std::size_t size) override;

  private:
    ByteReader& in_;
    std::string head_;
    std::size_t pos_ = 0;
};

// Copies `in` to its end into `out`; returns the number of bytes copied.
Result<std::uint64_t> copy_stream(ByteReader& in, ByteWriter& out);

// Reads exactly `size` bytes; a stream that ends sooner is an error ("unexpected end").
Result<void> read_exact(ByteReader& in, char* buf, std::size_t size);

// Reads the whole stream, refusing more than `limit` bytes (a manifest, a JSON body).
Result<std::string> read_all(ByteReader& in, std::size_t limit);

}  // namespace berth

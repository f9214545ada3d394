// Streams that hash what passes through them: a layer's diff_id is the sha256 of
// its uncompressed tar (OCI image-spec config.md, "rootfs.diff_ids"), computed on
// the way through rather than in a second pass over the data.
#pragma once

#include <cstdint>

#include "base/stream.hpp"
#include "image/digest.hpp"

namespace berth::image {

// Reads from `in`, hashing and counting every byte handed out.
class HashingReader final : public ByteReader {
  public:
    explicit HashingReader(ByteReader& in) : in_(in) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        std::size_t n = BERTH_TRY(in_.read(buf, size));
        hash_.update(buf, n);
        count_ += n;
        return n;
    }
    std::uint64_t count() const { return count_; }
    // Ends hashing; read no more afterwards.
    Digest finish() { return hash_.finish(); }

  private:
    ByteReader& in_;
    Sha256 hash_;
    std::uint64_t count_ = 0;
};

// Writes to `out`, hashing and counting every byte written.
class HashingWriter final : public ByteWriter {
  public:
    explicit HashingWriter(ByteWriter& out) : out_(out) {}
    Result<void> write(std::string_view data) override {
        BERTH_TRYV(out_.write(data));
        hash_.update(data);
        count_ += data.size();
        return {};
    }
    std::uint64_t count() const { return count_; }
    // Ends hashing; write no more afterwards.
    Digest finish() { return hash_.finish(); }

  private:
    ByteWriter& out_;
    Sha256 hash_;
    std::uint64_t count_ = 0;
};

}  // namespace berth::image

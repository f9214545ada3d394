#include "image/decompress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace berth::image {

namespace {

constexpr std::size_t kChunk = 1 << 16;

// Buffered input for the decompressors: refills from the source on demand.
class InputBuffer {
  public:
    explicit InputBuffer(std::unique_ptr<ByteReader> src) : src_(std::move(src)), buf_(kChunk) {}
    // Refills when empty; false at the end of the source.
    Result<bool> fill() {
        if (pos_ < len_) return true;
        pos_ = 0;
        len_ = BERTH_TRY(src_->read(buf_.data(), buf_.size()));
        return len_ > 0;
    }
    const char* data() const { return buf_.data() + pos_; }
    std::size_t size() const { return len_ - pos_; }
    void consume(std::size_t n) { pos_ += n; }

  private:
    std::unique_ptr<ByteReader> src_;
    std::vector<char> buf_;
    std::size_t pos_ = 0, len_ = 0;
};

class GzipReader final : public ByteReader {
  public:
    explicit GzipReader(std::unique_ptr<ByteReader> src) : in_(std::move(src)) {
        // 16 + MAX_WBITS: gzip framing only (zlib.h, inflateInit2).
        ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;
    }
    ~GzipReader() override { inflateEnd(&z_); }

    Result<std::size_t> read(char* buf, std::size_t size) override {
        if (!ok_) return fail("gzip: cannot initialise zlib");
        if (size == 0) return 0;
        for (;;) {
            if (member_ended_) {
                // RFC 1952 2.2: a gzip file is a series of members. Another member
                // follows only if more bytes do; they must start with the magic.
                if (!BERTH_TRY(in_.fill())) return 0;
                if (static_cast<unsigned char>(in_.data()[0]) != 0x1f)
                    return fail("gzip: trailing data after the end of the compressed stream");
                inflateReset(&z_);
                member_ended_ = false;
            }
            if (in_.size() == 0 && !BERTH_TRY(in_.fill()))
                return fail("gzip: compressed stream is truncated");
            z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_.data()));
            z_.avail_in = static_cast<uInt>(in_.size());
            z_.next_out = reinterpret_cast<Bytef*>(buf);
            z_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
            int rc = inflate(&z_, Z_NO_FLUSH);
            in_.consume(in_.size() - z_.avail_in);
            std::size_t produced = static_cast<std::size_t>(reinterpret_cast<char*>(z_.next_out) - buf);
            if (rc == Z_STREAM_END) member_ended_ = true;
            else if (rc != Z_OK && rc != Z_BUF_ERROR)
                return fail(std::string("gzip: corrupt compressed data (") + (z_.msg ? z_.msg : "zlib error") + ")");
            if (produced > 0) return produced;
        }
    }

  private:
    InputBuffer in_;
    z_stream z_{};
    bool ok_ = false;
    bool member_ended_ = false;
};

class ZstdReader final : public ByteReader {
  public:
    explicit ZstdReader(std::unique_ptr<ByteReader> src) : in_(std::move(src)), d_(ZSTD_createDCtx()) {}
    ~ZstdReader() override { ZSTD_freeDCtx(d_); }

    Result<std::size_t> read(char* buf, std::size_t size) override {
        if (!d_) return fail("zstd: cannot create a decompression context");
        if (size == 0) return 0;
        for (;;) {
            if (in_.size() == 0 && !BERTH_TRY(in_.fill())) {
                // ZSTD_decompressStream returns 0 exactly when a frame is complete;
                // the stream may end only there (zstd.h).
                if (frame_open_) return fail("zstd: compressed stream is truncated");
                return 0;
            }
            ZSTD_inBuffer zin{in_.data(), in_.size(), 0};
            ZSTD_outBuffer zout{buf, size, 0};
            std::size_t rc = ZSTD_decompressStream(d_, &zout, &zin);
            in_.consume(zin.pos);
            if (ZSTD_isError(rc)) return fail(std::string("zstd: corrupt compressed data (") + ZSTD_getErrorName(rc) + ")");
            frame_open_ = rc != 0;
            if (zout.pos > 0) return zout.pos;
        }
    }

  private:
    InputBuffer in_;
    ZSTD_DCtx* d_;
    bool frame_open_ = false;
};

class GzipWriter final : public FinishingWriter {
  public:
    GzipWriter(ByteWriter& out, int level) : out_(out), buf_(kChunk) {
        ok_ = deflateInit2(&z_, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~GzipWriter() override { deflateEnd(&z_); }

    Result<void> write(std::string_view data) override {
        if (finished_) return fail("gzip: write after finish");
        return pump(data, Z_NO_FLUSH);
    }
    Result<void> finish() override {
        if (finished_) return {};
        finished_ = true;
        return pump({}, Z_FINISH);
    }

  private:
    Result<void> pump(std::string_view data, int flush) {
        if (!ok_) return fail("gzip: cannot initialise zlib");
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        z_.avail_in = static_cast<uInt>(data.size());
        for (;;) {
            z_.next_out = reinterpret_cast<Bytef*>(buf_.data());
            z_.avail_out = static_cast<uInt>(buf_.size());
            int rc = deflate(&z_, flush);
            if (rc == Z_STREAM_ERROR) return fail("gzip: compression failed");
            std::size_t n = buf_.size() - z_.avail_out;
            if (n > 0) BERTH_TRYV(out_.write(std::string_view(buf_.data(), n)));
            if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) return {};
        }
    }
    ByteWriter& out_;
    std::vector<char> buf_;
    z_stream z_{};
    bool ok_ = false;
    bool finished_ = false;
};

}  // namespace

Compression sniff_compression(std::string_view head) {
    if (head.starts_with("\x1f\x8b")) return Compression::Gzip;
    if (head.starts_with("\x28\xb5\x2f\xfd")) return Compression::Zstd;
    return Compression::None;
}

Result<std::unique_ptr<ByteReader>> open_decompressed(ByteReader& in) {
    auto raw = std::make_unique<PeekableReader>(in);
    Compression c = sniff_compression(BERTH_TRY(raw->peek(4)));
    switch (c) {
    case Compression::Gzip: return std::make_unique<GzipReader>(std::move(raw));
    case Compression::Zstd: return std::make_unique<ZstdReader>(std::move(raw));
    case Compression::None: break;
    }
    return raw;
}

std::unique_ptr<FinishingWriter> make_gzip_writer(ByteWriter& out, int level) {
    return std::make_unique<GzipWriter>(out, level);
}

}  // namespace berth::image

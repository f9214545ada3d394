#include "image/decompress.hpp"

#include <gtest/gtest.h>

#include <string>

#include "base/file.hpp"
#include "layer_fixture.hpp"

namespace berth::image {
namespace {

using test::sh;
using test::TempDir;

// Reads in tiny pieces: a decompressor must not rely on large reads of its source.
class TrickleReader final : public ByteReader {
  public:
    explicit TrickleReader(std::string_view data) : data_(data) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        std::size_t n = std::min<std::size_t>({size, data_.size(), 3});
        std::copy_n(data_.data(), n, buf);
        data_.remove_prefix(n);
        return n;
    }

  private:
    std::string_view data_;
};

std::string payload() {
    std::string s;
    for (int i = 0; i < 20000; ++i) s += "line " + std::to_string(i * 7919 % 10007) + "\n";
    return s;
}

// `data` compressed by a command-line tool (the reference implementation).
std::string compressed_by(const TempDir& tmp, const std::string& data, const std::string& command) {
    EXPECT_TRUE(write_file_atomic(tmp / "in", data));
    auto r = sh(command + " < " + tmp / "in" + " > " + tmp / "out");
    EXPECT_TRUE(r.ok()) << command << ": " << r.stderr_text;
    return read_file(tmp / "out").value_or("");
}

Result<std::string> decompress(std::string_view data) {
    TrickleReader in(data);
    auto r = BERTH_TRY(open_decompressed(in));
    return read_all(*r, 1 << 26);
}

TEST(Decompress, SniffsByMagicBytes) {
    EXPECT_EQ(sniff_compression("\x1f\x8b\x08"), Compression::Gzip);
    EXPECT_EQ(sniff_compression("\x28\xb5\x2f\xfd"), Compression::Zstd);
    EXPECT_EQ(sniff_compression("etc/"), Compression::None);
    EXPECT_EQ(sniff_compression(""), Compression::None);
}

TEST(Decompress, PlainPassesThroughWithoutLosingTheSniffedBytes) {
    for (std::string s : {std::string(), std::string("a"), std::string("abcd"), payload()}) {
        auto out = decompress(s);
        ASSERT_TRUE(out) << out.error().message;
        EXPECT_EQ(*out, s) << "plain stream of " << s.size() << " bytes altered";
    }
}

TEST(Decompress, ReadsGzipFromTheGzipTool) {
    TempDir tmp;
    auto out = decompress(compressed_by(tmp, payload(), "gzip -9"));
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, payload());
}

TEST(Decompress, ReadsEveryMemberOfAMultiMemberGzip) {
    TempDir tmp;
    std::string two = compressed_by(tmp, "first\n", "gzip") + compressed_by(tmp, "second\n", "gzip");
    auto out = decompress(two);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, "first\nsecond\n");
}

TEST(Decompress, ReadsZstdFromTheZstdToolIncludingMultipleFrames) {
    TempDir tmp;
    std::string two = compressed_by(tmp, payload(), "zstd -q -c") + compressed_by(tmp, "tail\n", "zstd -q -c");
    auto out = decompress(two);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, payload() + "tail\n");
}

TEST(Decompress, TruncatedStreamsAreErrors) {
    TempDir tmp;
    for (std::string tool : {"gzip", "zstd -q -c"}) {
        std::string c = compressed_by(tmp, payload(), tool);
        auto out = decompress(std::string_view(c).substr(0, c.size() / 2));
        ASSERT_FALSE(out) << tool << ": half a stream decompressed without error";
        EXPECT_NE(out.error().message.find("truncated"), std::string::npos) << out.error().message;
    }
}

TEST(Decompress, CorruptGzipIsAnError) {
    TempDir tmp;
    std::string c = compressed_by(tmp, payload(), "gzip");
    for (std::size_t i = 20; i < 60; ++i) c[i] = static_cast<char>(c[i] ^ 0x55);
    EXPECT_FALSE(decompress(c)) << "corrupt deflate data accepted";
}

TEST(Decompress, GzipWriterOutputIsReadByTheGzipTool) {
    TempDir tmp;
    StringWriter sink;
    auto gz = make_gzip_writer(sink, 6);
    std::string data = payload();
    for (std::size_t i = 0; i < data.size(); i += 1000) ASSERT_TRUE(gz->write(data.substr(i, 1000)));
    ASSERT_TRUE(gz->finish());
    EXPECT_LT(sink.out.size(), data.size() / 3) << "gzip writer did not compress";
    ASSERT_TRUE(write_file_atomic(tmp / "x.gz", sink.out));
    auto r = sh("gzip -dc " + tmp / "x.gz" + " | sha256sum");
    ASSERT_TRUE(r.ok()) << r.stderr_text;
    ASSERT_TRUE(write_file_atomic(tmp / "plain", data));
    auto expect = sh("sha256sum < " + tmp / "plain");
    EXPECT_EQ(r.stdout_text, expect.stdout_text) << "gzip -d gives different bytes";
}

}  // namespace
}  // namespace berth::image

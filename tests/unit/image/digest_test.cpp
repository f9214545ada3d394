#include "image/digest.hpp"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

TEST(Digest, Sha256OfEmptyIsTheKnownValue) {
    EXPECT_EQ(sha256_of("").str(),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Digest, IncrementalEqualsOneShot) {
    Sha256 h;
    h.update("hello ");
    h.update("world");
    EXPECT_EQ(h.finish(), sha256_of("hello world"));
}

TEST(Digest, ParsesAndRefusesMalformed) {
    auto d = parse_digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->algorithm, "sha256");
    EXPECT_FALSE(parse_digest("sha256:E3B0"));
    EXPECT_FALSE(parse_digest("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    auto bad = parse_digest("sha512:00");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("unsupported"), std::string::npos);
}

}  // namespace
}  // namespace berth::image

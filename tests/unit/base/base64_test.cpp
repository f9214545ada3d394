#include "base/base64.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Base64Test, EncodesRfc4648TestVectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, UrlAlphabetReplacesPlusAndSlash) {
    EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8=");
}

TEST(Base64Test, DecodesBothAlphabetsPaddedOrNot) {
    EXPECT_EQ(base64_decode("Zm9vYg==").value_or("?"), "foob");
    EXPECT_EQ(base64_decode("Zm9vYg").value_or("?"), "foob");
    EXPECT_EQ(base64_decode("-_8=").value_or("?"), "\xfb\xff");
    EXPECT_EQ(base64_decode("+/8").value_or("?"), "\xfb\xff");
}

TEST(Base64Test, RefusesForeignCharactersAndImpossibleLengths) {
    EXPECT_FALSE(base64_decode("Zm9v!").has_value()) << "'!' is in no base64 alphabet";
    EXPECT_FALSE(base64_decode("Z").has_value()) << "one character encodes no byte";
}

}  // namespace
}  // namespace berth

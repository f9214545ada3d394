#include "base/stream.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Stream, CopyMovesEveryByte) {
    std::string data(200000, 'x');
    StringReader in(data);
    StringWriter out;
    auto n = copy_stream(in, out);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, data.size());
    EXPECT_EQ(out.out, data);
}

TEST(Stream, ReadExactFailsOnShortStream) {
    StringReader in("abc");
    char buf[4];
    EXPECT_FALSE(read_exact(in, buf, 4));
}

TEST(Stream, ReadAllRefusesMoreThanTheLimit) {
    StringReader in("0123456789");
    EXPECT_FALSE(read_all(in, 9));
    StringReader again("0123456789");
    auto all = read_all(again, 10);
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, "0123456789");
}

}  // namespace
}  // namespace berth

namespace berth {
namespace {

TEST(Stream, TeeCopiesWhatIsRead) {
    StringReader in("layer bytes");
    StringWriter copy, out;
    TeeReader tee(in, copy);
    ASSERT_TRUE(copy_stream(tee, out));
    EXPECT_EQ(copy.out, "layer bytes");
    EXPECT_EQ(out.out, "layer bytes");
}

}  // namespace
}  // namespace berth

namespace berth {
namespace {

TEST(Stream, PeekedBytesAreReadAgain) {
    StringReader in("\x1f\x8b rest of the stream");
    PeekableReader p(in);
    auto head = p.peek(2);
    ASSERT_TRUE(head);
    EXPECT_EQ(*head, "\x1f\x8b");
    StringWriter out;
    ASSERT_TRUE(copy_stream(p, out));
    EXPECT_EQ(out.out, "\x1f\x8b rest of the stream");
}

}  // namespace
}  // namespace berth

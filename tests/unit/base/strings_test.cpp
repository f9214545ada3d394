#include "base/strings.hpp"

#include <gtest/gtest.h>

namespace berth {

TEST(Strings, SplitKeepsEmptyFields) {
    EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Strings, ParseIntRejectsJunk) {
    EXPECT_EQ(parse_int("42"), 42);
    EXPECT_EQ(parse_int("-7"), -7);
    EXPECT_FALSE(parse_int("4x"));
    EXPECT_FALSE(parse_int(""));
}

TEST(Strings, TrimAndJoin) {
    EXPECT_EQ(trim("  x y \n"), "x y");
    EXPECT_EQ(join({"a", "b"}, ","), "a,b");
}

}  // namespace berth

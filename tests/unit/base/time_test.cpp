#include "base/time.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Rfc3339, ParsesUtcWithFraction) {
    auto t = parse_rfc3339_nanos("2024-01-02T03:04:05.5Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(*t, 1704164645'500'000'000LL);
}

TEST(Rfc3339, AppliesOffsets) {
    EXPECT_EQ(parse_rfc3339_nanos("2024-01-02T05:04:05+02:00"),
              parse_rfc3339_nanos("2024-01-02T03:04:05Z"));
}

TEST(Rfc3339, RefusesMalformed) {
    EXPECT_FALSE(parse_rfc3339_nanos("2024-01-02 garbage"));
    EXPECT_FALSE(parse_rfc3339_nanos("2024-01-02T03:04:05"));
}

TEST(Rfc3339, FormatsRoundTrip) {
    EXPECT_EQ(rfc3339(1704164645, 5), "2024-01-02T03:04:05.000000005Z");
    EXPECT_EQ(parse_rfc3339_nanos(rfc3339(1704164645, 5)), 1704164645'000'000'005LL);
}

TEST(Rfc3339, DockersZeroTimeHasNoNanoseconds) {
    // Out of int64 nanoseconds: nothing, rather than an overflow.
    EXPECT_FALSE(parse_rfc3339_nanos("0001-01-01T00:00:00Z"));
    EXPECT_FALSE(parse_rfc3339_nanos("9999-12-31T23:59:59Z"));
}

TEST(TimestampArg, UnixSecondsFractionsAndRfc3339) {
    EXPECT_EQ(parse_timestamp_arg("1700000000"), 1700000000'000'000'000LL);
    EXPECT_EQ(parse_timestamp_arg("1700000000.5"), 1700000000'500'000'000LL);
    EXPECT_EQ(parse_timestamp_arg("1700000000.000000001"), 1700000000'000'000'001LL);
    EXPECT_EQ(parse_timestamp_arg("2024-01-02T03:04:05Z"), 1704164645'000'000'000LL);
    EXPECT_FALSE(parse_timestamp_arg("yesterday"));
    EXPECT_FALSE(parse_timestamp_arg("1700000000.1234567891"));
}

}  // namespace
}  // namespace berth

#include "cli/format/units.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

// Expected values follow docker/go-units' HumanSize, BytesSize, HumanDuration and
// parseSize (v0.5, as vendored by docker 28).
TEST(Units, HumanSizeUsesDecimalUnitsAndFourDigits) {
    EXPECT_EQ(human_size(0), "0B");
    EXPECT_EQ(human_size(999), "999B");
    EXPECT_EQ(human_size(1000), "1kB");
    EXPECT_EQ(human_size(1234567), "1.235MB");
    EXPECT_EQ(human_size(4300000), "4.3MB");
    EXPECT_EQ(human_size(1e12), "1TB");
}

TEST(Units, BytesSizeUsesBinaryUnits) {
    EXPECT_EQ(bytes_size(1024), "1KiB");
    EXPECT_EQ(bytes_size(1536), "1.5KiB");
    EXPECT_EQ(bytes_size(1073741824), "1GiB");
}

TEST(Units, HumanDurationThresholds) {
    EXPECT_EQ(human_duration(0), "Less than a second");
    EXPECT_EQ(human_duration(1), "1 second");
    EXPECT_EQ(human_duration(59), "59 seconds");
    EXPECT_EQ(human_duration(60), "About a minute");
    EXPECT_EQ(human_duration(119), "About a minute");
    EXPECT_EQ(human_duration(45 * 60), "45 minutes");
    EXPECT_EQ(human_duration(89 * 60), "About an hour");  // hours round: 1.48 -> 1
    EXPECT_EQ(human_duration(90 * 60), "2 hours");        // 1.5 -> 2
    EXPECT_EQ(human_duration(47 * 3600), "47 hours");
    EXPECT_EQ(human_duration(48 * 3600), "2 days");
    EXPECT_EQ(human_duration(14 * 24 * 3600), "2 weeks");
    EXPECT_EQ(human_duration(59 * 24 * 3600), "8 weeks");
    EXPECT_EQ(human_duration(60 * 24 * 3600), "2 months");
    EXPECT_EQ(human_duration(2 * 365 * 24 * 3600LL), "2 years");
}

TEST(Units, CreatedSinceAppendsAgo) { EXPECT_EQ(created_since(1000, 1000 + 3 * 3600), "3 hours ago"); }

TEST(Units, ParseSizeIsBinaryAndCaseInsensitive) {
    EXPECT_EQ(parse_size("512m").value_or(-1), 512LL << 20);
    EXPECT_EQ(parse_size("1g").value_or(-1), 1LL << 30);
    EXPECT_EQ(parse_size("1.5GB").value_or(-1), 3LL << 29);
    EXPECT_EQ(parse_size("100K").value_or(-1), 102400);
    EXPECT_EQ(parse_size("2KiB").value_or(-1), 2048);
    EXPECT_EQ(parse_size("7").value_or(-1), 7);
    EXPECT_EQ(parse_size("32 mb").value_or(-1), 32LL << 20);
}

TEST(Units, ParseHumanSizeIsDecimal) { EXPECT_EQ(parse_human_size("1k").value_or(-1), 1000); }

TEST(Units, ParseSizeErrorsInDockersWords) {
    EXPECT_EQ(parse_size("abc").error().message, "invalid size: 'abc'");
    EXPECT_EQ(parse_size("1x").error().message, "invalid suffix: 'x'");
    EXPECT_EQ(parse_size("1kbb").error().message, "invalid suffix: 'kbb'");
    EXPECT_EQ(parse_size("-1").error().message, "invalid size: '-1'");
}

}  // namespace
}  // namespace berth::cli

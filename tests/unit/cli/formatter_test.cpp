#include "cli/format/formatter.hpp"

#include <gtest/gtest.h>

#include "cli/format/tabwriter.hpp"

namespace berth::cli {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kHeaders = {
    {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}, {"Size", "SIZE"}};
const std::string kDefault = "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";

std::vector<json> images() {
    return {json{{"Repository", "busybox"}, {"Tag", "latest"}, {"ID", "a416a98b71e2"}, {"CreatedSince", "2 weeks ago"}, {"Size", "4.26MB"}},
            json{{"Repository", "x"}, {"Tag", "1"}, {"ID", "0123456789ab"}, {"CreatedSince", "3 years ago"}, {"Size", "0B"}}};
}

// Go tabwriter(minwidth 10, tabwidth 1, padding 3, ' ', 0), as docker's tables.
TEST(Tabwriter, ColumnIsWidestCellPlusPaddingButAtLeastMinWidth) {
    EXPECT_EQ(tabwrite("a\tbb\tc\nlonger-cell\td\te\n", 10, 3),
              "a             bb        c\n"
              "longer-cell   d         e\n");
}

TEST(Tabwriter, LineWithoutTabsEndsTheColumnBlock) {
    EXPECT_EQ(tabwrite("aaaaaaaaaaaa\tb\nplain\nc\td\n", 10, 3),
              "aaaaaaaaaaaa   b\n"
              "plain\n"
              "c         d\n");
}

TEST(Tabwriter, WidthCountsCodePointsNotBytes) {
    EXPECT_EQ(tabwrite("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\tx\n", 10, 3),
              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9   x\n");
}

TEST(Formatter, EmptyFlagUsesDefaultTableWithHeader) {
    auto out = format_rows("", kDefault, kHeaders, images());
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out,
              "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n"
              "busybox      latest    a416a98b71e2   2 weeks ago   4.26MB\n"
              "x            1         0123456789ab   3 years ago   0B\n");
}

TEST(Formatter, TableKeywordAloneMeansDefault) {
    auto table = format_rows("table", kDefault, kHeaders, images());
    auto empty = format_rows("", kDefault, kHeaders, images());
    ASSERT_TRUE(table && empty);
    EXPECT_EQ(*table, *empty);
}

TEST(Formatter, CustomTableMapsHeadersAndPrintsHeaderWithoutRows) {
    auto out = format_rows("table {{.ID}}\\t{{.Tag}}", kDefault, kHeaders, {});
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, "IMAGE ID   TAG\n");
}

TEST(Formatter, JsonIsOneObjectPerLine) {
    auto out = format_rows("json", kDefault, kHeaders, {json{{"ID", "a"}, {"Size", 3}}, json{{"ID", "b"}}});
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, "{\"ID\":\"a\",\"Size\":3}\n{\"ID\":\"b\"}\n");
}

TEST(Formatter, PlainTemplateHasNoHeaderAndTurnsBackslashTIntoTab) {
    auto out = format_rows("{{.Repository}}:{{.Tag}}\\t{{.Size}}", kDefault, kHeaders, images());
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, "busybox:latest\t4.26MB\nx:1\t0B\n");
}

TEST(Formatter, ParseErrorIsPrefixedLikeDocker) {
    auto out = format_rows("{{.ID", kDefault, kHeaders, images());
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().message, "template parsing error: template: :1: unclosed action");
}

TEST(Formatter, MissingFieldFailsTheRender) {
    auto out = format_rows("{{.Nope}}", kDefault, kHeaders, images());
    ASSERT_FALSE(out);
    EXPECT_NE(out.error().message.find("map has no entry for key \"Nope\""), std::string::npos) << out.error().message;
}

}  // namespace
}  // namespace berth::cli

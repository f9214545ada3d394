// The berth CLI's pure parts: name splitting, filters, message streams, time
// arguments and event lines.
#include <gtest/gtest.h>

#include "cli/berth/event_line.hpp"
#include "cli/berth/filters.hpp"
#include "cli/berth/image_names.hpp"
#include "cli/berth/message_stream.hpp"
#include "cli/berth/time_text.hpp"

namespace berth::cli {
namespace {

// Hands out its text a few bytes per read, as a socket may.
class DribbleReader final : public ByteReader {
  public:
    DribbleReader(std::string text, size_t step) : text_(std::move(text)), step_(step) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        size_t n = std::min({size, step_, text_.size() - pos_});
        std::copy_n(text_.data() + pos_, n, buf);
        pos_ += n;
        return n;
    }

  private:
    std::string text_;
    size_t step_;
    size_t pos_ = 0;
};

TEST(BerthTagTarget, RegistryPortIsNotATag) {
    auto t = split_repo_tag("localhost:5000/app");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->repo, "localhost:5000/app");
    EXPECT_EQ(t->tag, "latest") << "a name without a tag gets docker's default tag";
}

TEST(BerthTagTarget, SplitsTagAndShortensDockerHubNames) {
    auto t = split_repo_tag("docker.io/library/busybox:1.36");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->repo, "busybox");
    EXPECT_EQ(t->tag, "1.36");
    auto p = split_repo_tag("[::1]:5000/x/y:v2");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->repo, "[::1]:5000/x/y");
    EXPECT_EQ(p->tag, "v2");
}

TEST(BerthTagTarget, RejectsUppercaseAsDockerWordsIt) {
    auto t = split_repo_tag("Bad");
    ASSERT_FALSE(t);
    // The reference parser's own reason follows (its wording is image/reference's).
    EXPECT_TRUE(t.error().message.starts_with(
        "Error parsing reference: \"Bad\" is not a valid repository/tag: invalid reference format"))
        << t.error().message;
}

TEST(BerthTagTarget, RefusesDigests) {
    auto t = split_repo_tag("busybox@sha256:" + std::string(64, 'a'));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().message, "refusing to create a tag with a digest reference");
}

TEST(BerthShortId, DropsAlgorithmAndKeepsTwelveDigits) {
    EXPECT_EQ(short_id("sha256:894ad8cf6c1fc81dca11572025329a9a40edca143598a3790e6a04cdbfbadbbd"), "894ad8cf6c1f");
    EXPECT_EQ(short_id("894ad8cf"), "894ad8cf");
}

TEST(BerthFilters, GroupsValuesByLowercasedName) {
    auto j = filters_json({"dangling=true", " Label = a=b ", "label=c"});
    ASSERT_TRUE(j) << j.error().message;
    EXPECT_EQ(*j, R"({"dangling":{"true":true},"label":{"a=b":true,"c":true}})");
}

TEST(BerthFilters, NoneGivenSendsNothing) {
    auto j = filters_json({});
    ASSERT_TRUE(j);
    EXPECT_EQ(*j, "") << "no filters must mean no `filters` parameter";
}

TEST(BerthFilters, ValueWithoutEqualsIsABadFormat) {
    auto j = filters_json({"dangling"});
    ASSERT_FALSE(j);
    EXPECT_EQ(j.error().message, "bad format of filter (expected name=value)");
}

TEST(BerthMessageStream, SplitsValuesAcrossReadsWithOrWithoutNewlines) {
    DribbleReader in(R"({"stream":"Loaded image: a:1\n"}{"status":"x {}","id":"ab"})" "\r\n" R"({"aux":{"ID":"sha256:1"}})", 3);
    JsonMessageReader reader(in);
    std::vector<Json> got;
    while (true) {
        auto m = reader.next();
        ASSERT_TRUE(m) << m.error().message;
        if (!*m) break;
        got.push_back(**m);
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0]["stream"], "Loaded image: a:1\n");
    EXPECT_EQ(got[1]["status"], "x {}") << "braces inside strings must not end a value";
    EXPECT_EQ(got[2]["aux"]["ID"], "sha256:1");
}

TEST(BerthMessageStream, TruncatedStreamIsAnError) {
    StringReader in(R"({"stream":"half)");
    JsonMessageReader reader(in);
    auto m = reader.next();
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("ended inside a message"), std::string::npos) << m.error().message;
}

TEST(BerthMessageStream, DisplayPrintsStreamsAndStatusesThenStopsAtTheError) {
    StringReader in(R"({"stream":"Loaded image: a:1\n"})" "\n" R"({"status":"Pulling","id":"abc"})" "\n"
                    R"({"errorDetail":{"message":"open x: no such file"},"error":"open x: no such file"})" "\n"
                    R"({"stream":"never shown\n"})");
    StringWriter out;
    auto r = display_messages(in, out);
    ASSERT_FALSE(r) << "an error message must fail the command";
    EXPECT_EQ(r.error().message, "open x: no such file");
    EXPECT_EQ(out.out, "Loaded image: a:1\nabc: Pulling\n");
}

TEST(BerthTimeArgs, DurationsCountBackFromNow) {
    std::int64_t now = 1700000000LL * 1000000000LL;
    EXPECT_EQ(timestamp_arg("10m", now).value_or("?"), "1699999400.000000000");
    EXPECT_EQ(timestamp_arg("1h30m", now).value_or("?"), "1699994600.000000000");
    EXPECT_EQ(timestamp_arg("0s", now).value_or("?"), "1700000000.000000000");
}

TEST(BerthTimeArgs, UnixTimesPassAndDatesConvert) {
    EXPECT_EQ(timestamp_arg("1700000000.5", 0).value_or("?"), "1700000000.5");
    EXPECT_EQ(timestamp_arg("2024-01-02", 0).value_or("?"), "1704153600.000000000");
    EXPECT_EQ(timestamp_arg("2024-01-02T03:04:05Z", 0).value_or("?"), "1704164645.000000000");
    EXPECT_FALSE(timestamp_arg("yesterday", 0)) << "an unparsable time must be refused before sending";
}

TEST(BerthTimeText, GoLayouts) {
    EXPECT_EQ(go_time_string(1704067200), "2024-01-01 00:00:00 +0000 UTC");
    EXPECT_EQ(rfc3339_seconds(1704067200), "2024-01-01T00:00:00Z");
}

TEST(BerthEventLine, DockerLayoutWithSortedAttributes) {
    Json ev = {{"Type", "image"},
               {"Action", "tag"},
               {"Actor", {{"ID", "sha256:89"}, {"Attributes", {{"name", "busybox:1"}, {"a", "1"}}}}},
               {"time", 1704164645},
               {"timeNano", 1704164645123456789LL}};
    EXPECT_EQ(event_line(ev), "2024-01-02T03:04:05.123456789Z image tag sha256:89 (a=1, name=busybox:1)\n");
}

TEST(BerthEventLine, NoAttributesNoParentheses) {
    Json ev = {{"Type", "image"}, {"Action", "prune"}, {"Actor", {{"ID", ""}}}, {"time", 1704164645}};
    EXPECT_EQ(event_line(ev), "2024-01-02T03:04:05.000000000Z image prune \n");
}

}  // namespace
}  // namespace berth::cli

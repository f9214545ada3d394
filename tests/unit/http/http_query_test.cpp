#include <gtest/gtest.h>

#include "http/query.hpp"
#include "http/request.hpp"
#include "http/versions.hpp"

namespace berth::http {
namespace {

TEST(HttpQuery, DecodesEscapesAndPlusInValues) {
    auto q = parse_query("name=a%2Fb%3Atag&msg=hello+world&flag");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(q->find("name")->second, "a/b:tag");
    EXPECT_EQ(q->find("msg")->second, "hello world");
    EXPECT_EQ(q->find("flag")->second, "") << "a parameter without '=' has an empty value";
}

TEST(HttpQuery, KeepsRepeatedParametersInOrder) {
    auto q = parse_query("t=a&t=b");
    ASSERT_TRUE(q);
    auto [first, last] = q->equal_range("t");
    ASSERT_EQ(std::distance(first, last), 2);
    EXPECT_EQ(first->second, "a");
    EXPECT_EQ(std::next(first)->second, "b");
}

TEST(HttpQuery, RejectsBrokenEscapes) {
    EXPECT_FALSE(parse_query("a=%4"));
    EXPECT_FALSE(parse_query("a=%zz"));
    EXPECT_FALSE(percent_decode("/x%", false));
}

TEST(HttpQuery, PlusStaysInPaths) {
    EXPECT_EQ(percent_decode("/a+b%20c", false).value_or(""), "/a+b c");
}

TEST(HttpQuery, BooleansFollowDocker) {
    for (auto v : {"1", "true", "True", "yes", "anything"}) EXPECT_TRUE(docker_bool(v)) << v;
    for (auto v : {"", "0", "false", "FALSE", "no", "none", " 0 "}) EXPECT_FALSE(docker_bool(v)) << v;
}

TEST(HttpQuery, FiltersInMapForm) {
    auto f = parse_filters(R"({"label":{"a=b":true,"c":true},"status":{"running":true}})");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ((*f)["label"], (std::vector<std::string>{"a=b", "c"}));
    EXPECT_EQ((*f)["status"], (std::vector<std::string>{"running"}));
}

TEST(HttpQuery, FiltersInLegacyListForm) {
    auto f = parse_filters(R"({"dangling":["true"]})");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ((*f)["dangling"], (std::vector<std::string>{"true"}));
}

TEST(HttpQuery, EmptyFiltersAreNone) {
    auto f = parse_filters("");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->empty());
}

TEST(HttpQuery, MalformedFiltersAreErrors) {
    EXPECT_FALSE(parse_filters("{not json"));
    EXPECT_FALSE(parse_filters(R"(["a"])"));
    EXPECT_FALSE(parse_filters(R"({"a":"b"})"));
}

TEST(HttpQuery, RequestHelpersReadTheQuery) {
    Request req;
    req.query = parse_query("all=1&limit=5&bad=x&filters=%7B%22id%22%3A%5B%22abc%22%5D%7D").value();
    EXPECT_TRUE(req.query_bool("all"));
    EXPECT_FALSE(req.query_bool("missing"));
    EXPECT_EQ(req.query_int("limit", -1).value_or(0), 5);
    EXPECT_EQ(req.query_int("missing", -1).value_or(0), -1);
    auto bad = req.query_int("bad", 0);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("\"bad\""), std::string::npos) << bad.error().message;
    EXPECT_EQ(req.filters().value()["id"], (std::vector<std::string>{"abc"}));
}

TEST(HttpRequest, HandBuiltRequestHasAnEmptyBody) {
    Request req;
    char c;
    auto n = req.body().read(&c, 1);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0u);
}

TEST(HttpVersions, CompareNumericallyByField) {
    EXPECT_LT(compare_versions("1.9", "1.24"), 0);
    EXPECT_GT(compare_versions("1.41", "1.24"), 0);
    EXPECT_EQ(compare_versions("1.41", "1.41.0"), 0);
    EXPECT_LT(compare_versions("1", "1.24"), 0);
}

}  // namespace
}  // namespace berth::http

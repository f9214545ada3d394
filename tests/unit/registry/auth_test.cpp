#include "registry/auth.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

TEST(ChallengeTest, ParsesDockerHubBearerChallenge) {
    auto cs = parse_challenges(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].scheme, "bearer");
    EXPECT_EQ(cs[0].params["realm"], "https://auth.docker.io/token");
    EXPECT_EQ(cs[0].params["service"], "registry.docker.io");
    EXPECT_EQ(cs[0].params["scope"], "repository:library/busybox:pull");
}

TEST(ChallengeTest, ParsesBasicWithUnquotedRealmAndSpaces) {
    auto cs = parse_challenges(R"(Basic realm=berth-test , charset="UTF-8")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].scheme, "basic");
    EXPECT_EQ(cs[0].params["realm"], "berth-test");
    EXPECT_EQ(cs[0].params["charset"], "UTF-8");
}

TEST(ChallengeTest, SplitsSeveralChallengesInOneField) {
    auto cs = parse_challenges(R"(Basic realm="a", Bearer realm="https://t/x", service="s")");
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].scheme, "basic");
    EXPECT_EQ(cs[1].scheme, "bearer");
    EXPECT_EQ(cs[1].params["service"], "s");
}

TEST(ChallengeTest, UnescapesQuotedPairs) {
    auto cs = parse_challenges(R"(Bearer realm="a\"b")");
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].params["realm"], "a\"b");
}

TEST(ChallengeTest, JunkGivesNoChallengeInsteadOfLooping) {
    EXPECT_TRUE(parse_challenges(",,, ").empty());
    EXPECT_TRUE(parse_challenges("").empty());
}

TEST(AuthorizerTest, BasicChallengeWithoutCredentialsIsUnauthorized) {
    HttpClient http;
    Authorizer auth(http, {}, {});
    http::Headers h;
    h.add("WWW-Authenticate", R"(Basic realm="r")");
    auto r = auth.answer(h);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::unauthorized);
}

TEST(AuthorizerTest, BasicChallengeIsAnsweredOnceThenRefused) {
    HttpClient http;
    Authorizer auth(http, {.username = "alice", .password = "pw"}, {});
    http::Headers h;
    h.add("WWW-Authenticate", R"(Basic realm="r")");
    ASSERT_TRUE(auth.answer(h));
    EXPECT_EQ(auth.header().value_or(""), "Basic YWxpY2U6cHc=");
    auto again = auth.answer(h);
    ASSERT_FALSE(again) << "a second 401 for the same credentials means they are wrong";
    EXPECT_NE(again.error().message.find("incorrect username or password"), std::string::npos) << again.error().message;
}

}  // namespace
}  // namespace berth::registry

#include "cli/runtime/args.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

using Argv = std::vector<std::string>;

const std::vector<FlagSpec> kSpecs = {
    {"bundle", "b", true}, {"pid-file", "", true}, {"detach", "d", false},
    {"env", "e", true},    {"tty", "t", false},
};

Args parse_ok(const Argv& argv, bool stop = false, size_t* consumed = nullptr) {
    auto r = Args::parse(argv, 0, kSpecs, stop, consumed);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Args{};
}

TEST(Args, LongFlagWithSeparateValue) {
    auto a = parse_ok({"--bundle", "/b", "id"});
    EXPECT_EQ(a.get("bundle"), "/b");
    EXPECT_EQ(a.positional(), Argv{"id"});
}

TEST(Args, LongFlagWithEqualsValue) {
    auto a = parse_ok({"--bundle=/b=c", "id"});
    EXPECT_EQ(a.get("bundle"), "/b=c") << "only the first '=' separates the value";
    EXPECT_EQ(a.positional(), Argv{"id"});
}

TEST(Args, ShortAndSingleDashLongFlags) {
    auto a = parse_ok({"-b", "/b", "-pid-file", "/p", "id"});
    EXPECT_EQ(a.get("bundle"), "/b");
    EXPECT_EQ(a.get("pid-file"), "/p");
    EXPECT_EQ(a.positional(), Argv{"id"});
}

TEST(Args, ValueMayLookLikeAFlag) {
    auto a = parse_ok({"--bundle", "--detach", "id"});
    EXPECT_EQ(a.get("bundle"), "--detach");
    EXPECT_FALSE(a.has("detach"));
}

TEST(Args, BooleanFlags) {
    auto a = parse_ok({"-d", "id"});
    EXPECT_TRUE(a.has("detach"));
    EXPECT_FALSE(a.has("tty"));
    EXPECT_EQ(a.positional(), Argv{"id"}) << "a boolean flag must not eat the next argument";

    EXPECT_TRUE(parse_ok({"--detach=true"}).has("detach"));
    EXPECT_TRUE(parse_ok({"--detach=1"}).has("detach"));
    EXPECT_FALSE(parse_ok({"--detach=false"}).has("detach"));
    EXPECT_FALSE(parse_ok({"--detach", "--detach=false"}).has("detach")) << "the last one wins";
}

TEST(Args, RepeatedFlagsKeepEveryValueInOrderAndGetReturnsTheLast) {
    auto a = parse_ok({"-e", "A=1", "--env", "B=2", "--env=C=3", "id"});
    EXPECT_EQ(a.all("env"), (Argv{"A=1", "B=2", "C=3"}));
    EXPECT_EQ(a.get("env"), "C=3");
    EXPECT_TRUE(a.all("bundle").empty());
    EXPECT_EQ(a.get("bundle", "fallback"), "fallback");
}

TEST(Args, FlagsBetweenAndAfterPositionals) {
    auto a = parse_ok({"one", "--bundle", "/b", "two", "-d"});
    EXPECT_EQ(a.positional(), (Argv{"one", "two"}));
    EXPECT_EQ(a.get("bundle"), "/b");
    EXPECT_TRUE(a.has("detach"));
}

TEST(Args, DoubleDashEndsFlags) {
    auto a = parse_ok({"-d", "--", "--bundle", "x", "-t"});
    EXPECT_TRUE(a.has("detach"));
    EXPECT_FALSE(a.has("bundle"));
    EXPECT_FALSE(a.has("tty"));
    EXPECT_EQ(a.positional(), (Argv{"--bundle", "x", "-t"}));
}

TEST(Args, LoneDashIsPositional) {
    EXPECT_EQ(parse_ok({"-"}).positional(), Argv{"-"});
}

TEST(Args, StopAtFirstPositionalLeavesTheRestUnparsed) {
    Argv argv = {"-d", "id", "--bundle", "/b", "sh", "-c", "x"};
    size_t consumed = 0;
    auto a = parse_ok(argv, true, &consumed);
    EXPECT_EQ(a.positional(), Argv{"id"});
    EXPECT_TRUE(a.has("detach"));
    EXPECT_FALSE(a.has("bundle")) << "a flag after the first positional belongs to the command";
    EXPECT_EQ(consumed, 2u);
    EXPECT_EQ(argv[consumed], "--bundle");
}

TEST(Args, ParseStartsAtBeginAndConsumedIsAnIndexIntoArgv) {
    Argv argv = {"berth-runtime", "--root", "exec", "-t", "id", "ls"};
    size_t consumed = 0;
    auto r = Args::parse(argv, 3, kSpecs, true, &consumed);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->has("tty"));
    EXPECT_EQ(r->positional(), Argv{"id"});
    EXPECT_EQ(consumed, 5u);
}

TEST(Args, ConsumedIsTheEndWithoutStop) {
    Argv argv = {"-d", "id", "more"};
    size_t consumed = 0;
    parse_ok(argv, false, &consumed);
    EXPECT_EQ(consumed, argv.size());
}

TEST(Args, UnknownFlagIsAnErrorNamingIt) {
    for (Argv argv : {Argv{"--nope"}, Argv{"-z", "id"}, Argv{"--nope=1"}}) {
        auto r = Args::parse(argv, 0, kSpecs, false);
        ASSERT_FALSE(r) << argv[0];
        EXPECT_NE(r.error().message.find("not defined"), std::string::npos) << r.error().message;
        std::string name = argv[0].substr(argv[0].find_first_not_of('-'));
        name = name.substr(0, name.find('='));
        EXPECT_NE(r.error().message.find(name), std::string::npos) << r.error().message;
    }
}

TEST(Args, MissingValueIsAnErrorNamingTheFlag) {
    auto r = Args::parse({"id", "--bundle"}, 0, kSpecs, false);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("bundle"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("argument"), std::string::npos) << r.error().message;
}

TEST(Args, EmptyInlineValueIsAValue) {
    auto a = parse_ok({"--pid-file=", "id"});
    EXPECT_TRUE(a.has("pid-file"));
    EXPECT_EQ(a.get("pid-file", "fallback"), "");
}

}  // namespace
}  // namespace berth::cli

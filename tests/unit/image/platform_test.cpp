#include "image/platform.hpp"

#include <gtest/gtest.h>
#include <sys/utsname.h>

namespace berth::image {
namespace {

TEST(Platform, MachineNamesMapToGoNames) {
    struct Case {
        std::string machine, want;
    } cases[] = {
        {"x86_64", "linux/amd64"},    {"aarch64", "linux/arm64/v8"},    {"armv7l", "linux/arm/v7"},
        {"armv6l", "linux/arm/v6"},   {"armv5tel", "linux/arm/v5"},     {"i686", "linux/386"},
        {"i386", "linux/386"},        {"ppc64le", "linux/ppc64le"},     {"s390x", "linux/s390x"},
        {"riscv64", "linux/riscv64"}, {"loongarch64", "linux/loong64"},
    };
    for (auto& c : cases) EXPECT_EQ(platform_for_machine(c.machine).str(), c.want) << c.machine;
}

TEST(Platform, HostPlatformFollowsUname) {
    utsname u{};
    ASSERT_EQ(::uname(&u), 0);
    EXPECT_EQ(host_platform(), platform_for_machine(u.machine));
    EXPECT_EQ(host_platform().os, "linux");
}

TEST(Platform, ParsesDockerPlatformFlags) {
    struct Case {
        std::string text, want;
    } cases[] = {
        {"linux/amd64", "linux/amd64"},    {"linux/arm64/v8", "linux/arm64/v8"},
        {"linux/arm64", "linux/arm64/v8"}, {"linux/aarch64", "linux/arm64/v8"},
        {"linux/arm", "linux/arm/v7"},     {"linux/arm/7", "linux/arm/v7"},
        {"linux/armhf", "linux/arm/v7"},   {"Linux/X86_64", "linux/amd64"},
        {"linux/i386", "linux/386"},       {"windows/amd64", "windows/amd64"},
        {"arm64", "linux/arm64/v8"},       {"amd64", "linux/amd64"},
    };
    for (auto& c : cases) {
        auto p = parse_platform(c.text);
        ASSERT_TRUE(p) << c.text << ": " << p.error().message;
        EXPECT_EQ(p->str(), c.want) << c.text;
    }
}

TEST(Platform, LoneOsTakesTheHostArchitecture) {
    auto p = parse_platform("linux");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->architecture, host_platform().architecture);
    EXPECT_EQ(p->variant, host_platform().variant);
}

TEST(Platform, RefusesMalformed) {
    for (std::string bad : {"", "linux/", "/amd64", "linux/amd64/v8/x", "linux/am d64", "plan10"}) {
        auto p = parse_platform(bad);
        ASSERT_FALSE(p) << "\"" << bad << "\" was accepted as " << p->str();
        EXPECT_NE(p.error().message.find("invalid platform"), std::string::npos)
            << p.error().message;
    }
}

Platform P(std::string os, std::string arch, std::string variant = "") {
    return Platform{.architecture = arch, .os = os, .variant = variant};
}

TEST(Platform, MatchingRules) {
    EXPECT_TRUE(platform_matches(P("linux", "amd64"), P("linux", "amd64")));
    EXPECT_TRUE(platform_matches(P("linux", "amd64"), P("linux", "x86_64"))) << "alias";
    EXPECT_FALSE(platform_matches(P("linux", "amd64"), P("windows", "amd64"))) << "other OS";
    EXPECT_FALSE(platform_matches(P("linux", "amd64"), P("linux", "arm64"))) << "other arch";
    EXPECT_TRUE(platform_matches(P("linux", "arm64", "v8"), P("linux", "arm64")))
        << "arm64 without variant is v8";
    EXPECT_TRUE(platform_matches(P("linux", "arm64"), P("linux", "arm64", "v8")));
    EXPECT_FALSE(platform_matches(P("linux", "arm64", "v9"), P("linux", "arm64", "v8")))
        << "arm64 variants other than v8 are not interchangeable";
    EXPECT_TRUE(platform_matches(P("linux", "arm", "v7"), P("linux", "arm", "v6")))
        << "a v7 CPU runs v6 code";
    EXPECT_FALSE(platform_matches(P("linux", "arm", "v6"), P("linux", "arm", "v7")))
        << "a v6 CPU cannot run v7 code";
    EXPECT_TRUE(platform_matches(P("linux", "amd64"), P("linux", "amd64", "v3")))
        << "no variant wanted accepts any";
    EXPECT_FALSE(platform_matches(P("linux", "amd64", "v2"), P("linux", "amd64", "v3")));
}

TEST(Platform, RanksPreferExactMatches) {
    EXPECT_EQ(platform_match_rank(P("linux", "arm", "v7"), P("linux", "arm", "v7")), 0);
    EXPECT_LT(platform_match_rank(P("linux", "arm", "v7"), P("linux", "arm", "v6")),
              platform_match_rank(P("linux", "arm", "v7"), P("linux", "arm", "v5")));
    EXPECT_GT(platform_match_rank(P("linux", "amd64"), P("linux", "amd64", "v2")), 0);
    EXPECT_EQ(platform_match_rank(P("linux", "amd64"), P("linux", "arm64")), -1);
}

TEST(Platform, OsVersionComparedOnlyWhenAsked) {
    Platform want = P("windows", "amd64");
    Platform have = P("windows", "amd64");
    have.os_version = "10.0.17763.1";
    EXPECT_TRUE(platform_matches(want, have));
    want.os_version = "10.0.20348.1";
    EXPECT_FALSE(platform_matches(want, have));
}

}  // namespace
}  // namespace berth::image

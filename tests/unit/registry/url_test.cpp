#include "registry/url.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

TEST(RegistryUrlTest, ParsesSchemeHostPortAndTarget) {
    auto u = parse_url("http://127.0.0.1:5000/v2/x/manifests/1?a=b");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 5000);
    EXPECT_EQ(u->target, "/v2/x/manifests/1?a=b");
}

TEST(RegistryUrlTest, DefaultsPortAndPathByScheme) {
    auto u = parse_url("https://auth.docker.io");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/");
    EXPECT_EQ(u->str(), "https://auth.docker.io/");
}

TEST(RegistryUrlTest, AuthorityAlwaysNamesThePort) {
    EXPECT_EQ(parse_url("https://r.example/v2/")->authority(), "r.example:443");
    EXPECT_EQ(parse_url("http://[::1]:5000/")->authority(), "[::1]:5000");
}

TEST(RegistryUrlTest, KeepsIpv6HostsWithoutBrackets) {
    auto u = parse_url("http://[::1]:8080/token");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->origin(), "http://[::1]:8080");
}

TEST(RegistryUrlTest, RefusesOtherSchemesAndBadPorts) {
    EXPECT_FALSE(parse_url("ftp://x/y"));
    EXPECT_FALSE(parse_url("http://x:99999/"));
    EXPECT_FALSE(parse_url("http:///path"));
}

TEST(RegistryUrlTest, ResolvesAbsoluteAndPathLocations) {
    auto base = parse_url("http://127.0.0.1:5000/v2/x/blobs/uploads/").value();
    auto rel = resolve_location(base, "/v2/x/blobs/uploads/uuid?_state=abc");
    ASSERT_TRUE(rel) << rel.error().message;
    EXPECT_EQ(rel->str(), "http://127.0.0.1:5000/v2/x/blobs/uploads/uuid?_state=abc");
    auto abs = resolve_location(base, "https://storage.example/blob?sig=1");
    ASSERT_TRUE(abs) << abs.error().message;
    EXPECT_EQ(abs->host, "storage.example");
}

TEST(RegistryUrlTest, AddQueryPercentEncodesValues) {
    EXPECT_EQ(add_query("/token", "scope", "repository:a/b:pull,push"),
              "/token?scope=repository%3Aa%2Fb%3Apull%2Cpush");
    EXPECT_EQ(add_query("/u?_state=x", "digest", "sha256:ab"), "/u?_state=x&digest=sha256%3Aab");
}

}  // namespace
}  // namespace berth::registry

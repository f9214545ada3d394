#include "registry/proxy.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

Url target(std::string_view text) {
    return *parse_url(text);
}

std::string proxy_for(std::string_view url, const ProxyEnv& env) {
    auto p = select_proxy(target(url), env);
    if (!p) return "error: " + p.error().message;
    return *p ? (*p)->origin() : "direct";
}

TEST(RegistryProxyTest, HttpsAndHttpUseTheirOwnVariables) {
    ProxyEnv env{.https_proxy = "http://secure:3128", .http_proxy = "plain:8080"};
    EXPECT_EQ(proxy_for("https://registry.example/v2/", env), "http://secure:3128");
    EXPECT_EQ(proxy_for("http://registry.example:5000/v2/", env), "http://plain:8080")
        << "a proxy without a scheme is http://";
    EXPECT_EQ(proxy_for("https://registry.example/v2/", {}), "direct");
}

TEST(RegistryProxyTest, LoopbackIsNeverProxied) {
    ProxyEnv env{.https_proxy = "http://p:1", .http_proxy = "http://p:1"};
    for (auto url : {"http://127.0.0.1:5000/", "http://localhost:5000/", "http://[::1]:5000/",
                     "https://127.9.0.1/"})
        EXPECT_EQ(proxy_for(url, env), "direct") << url;
}

TEST(RegistryProxyTest, NoProxyMatchesDomainsSubdomainsAddressesBlocksAndPorts) {
    ProxyEnv env{
        .https_proxy = "http://p:1",
        .no_proxy = " corp.example, .internal,10.0.0.0/8,192.168.1.5, mirror.example:5000"};
    EXPECT_EQ(proxy_for("https://corp.example/", env), "direct");
    EXPECT_EQ(proxy_for("https://reg.corp.example/", env), "direct") << "subdomains are exempt too";
    EXPECT_EQ(proxy_for("https://notcorp.example/", env), "http://p:1")
        << "only whole labels match";
    EXPECT_EQ(proxy_for("https://a.internal/", env), "direct");
    EXPECT_EQ(proxy_for("https://10.1.2.3/", env), "direct");
    EXPECT_EQ(proxy_for("https://11.1.2.3/", env), "http://p:1");
    EXPECT_EQ(proxy_for("https://192.168.1.5/", env), "direct");
    EXPECT_EQ(proxy_for("https://mirror.example:5000/", env), "direct");
    EXPECT_EQ(proxy_for("https://mirror.example/", env), "http://p:1")
        << "the entry names port 5000 only";
    EXPECT_EQ(proxy_for("https://anything/", {.https_proxy = "http://p:1", .no_proxy = "*"}),
              "direct");
}

TEST(RegistryProxyTest, UnusableProxySettingsAreErrorsNamingTheVariable) {
    EXPECT_NE(proxy_for("https://r.example/", {.https_proxy = "https://p:1"}).find("HTTPS_PROXY"),
              std::string::npos);
    EXPECT_NE(proxy_for("http://r.example/", {.http_proxy = "ftp://p:1"}).find("HTTP_PROXY"),
              std::string::npos);
}

}  // namespace
}  // namespace berth::registry

// The network commands' requests and rows.
#include <gtest/gtest.h>

#include "cli/berth/network_requests.hpp"
#include "cli/berth/network_rows.hpp"

namespace berth::cli {
namespace {

Result<Json> create_body(std::vector<std::string> argv) {
    auto flags = parse_flags(network_create_flags(), argv);
    if (!flags) return std::unexpected(flags.error());
    BERTH_TRYV(check_network_create_flags(*flags));
    return network_create_body(*flags);
}

TEST(NetworkCreateRequest, DefaultsAsDockerSendsThem) {
    auto body = create_body({"appnet"});
    ASSERT_TRUE(body) << body.error().message;
    EXPECT_EQ(*body,
              Json::parse(R"({"Name":"appnet","CheckDuplicate":true,"Driver":"bridge","Scope":"",
        "EnableIPv6":false,"IPAM":{"Driver":"default","Config":[],"Options":{}},"Internal":false,
        "Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{}})"));
}

TEST(NetworkCreateRequest, EveryFlagLandsInItsField) {
    auto body = create_body({"-d",
                             "bridge",
                             "--subnet",
                             "10.10.0.0/16,fd00:1::/64",
                             "--ip-range",
                             "10.10.5.0/24",
                             "--gateway",
                             "10.10.0.254",
                             "--aux-address",
                             "router=10.10.0.2",
                             "--ipv6",
                             "--internal",
                             "--attachable",
                             "-o",
                             "com.docker.network.bridge.name=br-app",
                             "-o",
                             "com.docker.network.driver.mtu=1400",
                             "--label",
                             "tier=front",
                             "--ipam-driver",
                             "default",
                             "--ipam-opt",
                             "x=y",
                             "appnet"});
    ASSERT_TRUE(body) << body.error().message;
    const Json& b = *body;
    EXPECT_EQ(b["IPAM"]["Config"],
              Json::parse(R"([{"Subnet":"10.10.0.0/16","IPRange":"10.10.5.0/24",
        "Gateway":"10.10.0.254","AuxiliaryAddresses":{"router":"10.10.0.2"}},{"Subnet":"fd00:1::/64"}])"));
    EXPECT_EQ(b["IPAM"]["Options"], (Json{{"x", "y"}}));
    EXPECT_EQ(b["Options"], (Json{{"com.docker.network.bridge.name", "br-app"},
                                  {"com.docker.network.driver.mtu", "1400"}}));
    EXPECT_EQ(b["Labels"], (Json{{"tier", "front"}}));
    EXPECT_EQ(b["EnableIPv6"], true);
    EXPECT_EQ(b["Internal"], true);
    EXPECT_EQ(b["Attachable"], true);
}

TEST(NetworkCreateRequest, IpamErrorsInDockersWords) {
    auto error_of = [](std::vector<std::string> argv) {
        auto body = create_body(std::move(argv));
        return body ? std::string("no error") : body.error().message;
    };
    EXPECT_EQ(error_of({"--gateway", "10.0.0.1", "n"}),
              "every ip-range or gateway must have a corresponding subnet");
    EXPECT_EQ(error_of({"--subnet", "10.0.0.0/16", "--gateway", "10.1.0.1", "n"}),
              "no matching subnet for gateway 10.1.0.1");
    EXPECT_EQ(error_of({"--subnet", "10.0.0.0/16", "--ip-range", "10.9.0.0/24", "n"}),
              "no matching subnet for range 10.9.0.0/24");
    EXPECT_EQ(error_of({"--subnet", "10.0.0.0/8", "--subnet", "10.1.0.0/16", "n"}),
              "multiple overlapping subnet configuration is not supported");
    EXPECT_EQ(error_of({"--subnet", "10.0.0.0/16", "--aux-address", "a=192.168.0.1", "n"}),
              "no matching subnet for aux-address 192.168.0.1");
    EXPECT_EQ(error_of({"--subnet", "nonsense", "--gateway", "10.0.0.1", "n"}),
              "invalid subnet: invalid CIDR address: nonsense");
    EXPECT_EQ(error_of({"--subnet", "10.0.0.0/16", "--subnet", "10.2.0.0/16", "--gateway",
                        "10.0.0.1", "--gateway", "10.0.0.2", "n"}),
              "cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet "
              "(10.0.0.0/16)");
    EXPECT_EQ(error_of({"--label", "bare", "n"}),
              "invalid argument \"bare\" for \"--label\" flag: bad attribute format: bare");
}

Result<Json> connect_body(std::vector<std::string> argv) {
    auto flags = parse_flags(network_connect_flags(), argv);
    if (!flags) return std::unexpected(flags.error());
    return network_connect_body(*flags);
}

TEST(NetworkConnectRequest, BodyAsDockerSendsIt) {
    auto plain = connect_body({"appnet", "web"});
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ((*plain)["Container"], "web");
    EXPECT_EQ((*plain)["EndpointConfig"]["IPAMConfig"], Json::object());
    EXPECT_EQ((*plain)["EndpointConfig"]["Aliases"], Json::array());
    EXPECT_TRUE((*plain)["EndpointConfig"]["Links"].is_null());
    EXPECT_EQ((*plain)["EndpointConfig"]["DriverOpts"], Json::object());

    auto full = connect_body({"--ip", "10.0.0.9", "--ip6", "fd00::9", "--alias", "a,b", "--link",
                              "db:database", "--driver-opt", "k = v", "appnet", "web"});
    ASSERT_TRUE(full) << full.error().message;
    const Json& e = (*full)["EndpointConfig"];
    EXPECT_EQ(e["IPAMConfig"], (Json{{"IPv4Address", "10.0.0.9"}, {"IPv6Address", "fd00::9"}}));
    EXPECT_EQ(e["Aliases"], (Json{"a", "b"}));
    EXPECT_EQ(e["Links"], (Json{"db:database"}));
    EXPECT_EQ(e["DriverOpts"], (Json{{"k", "v"}}));
    EXPECT_EQ(connect_body({"--driver-opt", "novalue", "n", "c"}).error().message,
              "invalid key value pair format in driver options");
}

TEST(NetworkRows, SortedNaturallyAndTruncated) {
    Json networks = Json::parse(R"([
        {"Name":"net10","Id":"aaaaaaaaaaaaaaaaaaaa","Driver":"bridge","Scope":"local","Created":"2024-01-02T03:04:05.5Z",
         "Labels":{"a":"1","b":"2"},"EnableIPv6":true,"Internal":false},
        {"Name":"net2","Id":"bbbbbbbbbbbbbbbbbbbb","Driver":"bridge","Scope":"local","Created":"2024-01-02T03:04:05Z"},
        {"Name":"bridge","Id":"cccccccccccccccccccc","Driver":"bridge","Scope":"local","Created":"x"}])");
    auto rows = network_rows(networks, false);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0]["Name"], "bridge");
    EXPECT_EQ(rows[1]["Name"], "net2");
    EXPECT_EQ(rows[2]["Name"], "net10");
    EXPECT_EQ(rows[2]["ID"], "aaaaaaaaaaaa");
    EXPECT_EQ(rows[2]["Labels"], "a=1,b=2");
    EXPECT_EQ(rows[2]["IPv6"], "true");
    EXPECT_EQ(rows[2]["CreatedAt"], "2024-01-02 03:04:05.5 +0000 UTC");
    EXPECT_EQ(rows[1]["CreatedAt"], "2024-01-02 03:04:05 +0000 UTC");
    EXPECT_EQ(network_rows(networks, true)[2]["ID"], "aaaaaaaaaaaaaaaaaaaa");
    EXPECT_EQ(network_headers().at("ID"), "NETWORK ID");
}

TEST(NetworkRows, NaturalOrderAsSortorder) {
    EXPECT_TRUE(natural_less("a2", "a10"));
    EXPECT_FALSE(natural_less("a10", "a2"));
    EXPECT_TRUE(natural_less("a1", "a01"));  // equal numbers: fewer zeros first
    EXPECT_TRUE(natural_less("1x", "ax"));   // digits before other characters
    EXPECT_TRUE(natural_less("ab", "abc"));
    EXPECT_FALSE(natural_less("abc", "abc"));
}

}  // namespace
}  // namespace berth::cli

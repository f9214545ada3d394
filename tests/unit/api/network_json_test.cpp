#include "api/network_json.hpp"
#include "engine/events.hpp"

#include <gtest/gtest.h>

#include <set>

namespace berth::api {
namespace {

using network::Endpoint;
using network::IpAddress;
using network::IpPrefix;
using network::MacAddress;
using network::Network;

IpAddress v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return IpAddress::v4((a << 24) | (b << 16) | (c << 8) | d);
}

Network user_network(std::string name = "appnet") {
    Network n;
    n.id = "3c5f0a2b9d7e41c6a8b1f2e3d4c5b6a7980a1b2c3d4e5f60718293a4b5c6d7e8";
    n.name = std::move(name);
    n.created = "2024-05-06T07:08:09.123456789Z";
    network::IpamPool pool;
    pool.subnet = IpPrefix{v4(172, 18, 0, 0), 16};
    pool.gateway = v4(172, 18, 0, 1);
    n.pools.push_back(pool);
    n.labels = {{"tier", "front"}};
    n.bridge = "br-3c5f0a2b9d7e";
    return n;
}

Network predefined_bridge() {
    Network n;
    n.id = "b0b1b2b3b4b5b6b7b8b9c0c1c2c3c4c5c6c7c8c9d0d1d2d3d4d5d6d7d8d9e0e1";
    n.name = "bridge";
    n.is_default = true;
    n.options = {{"com.docker.network.bridge.default_bridge", "true"}};
    return n;
}

Network host_network() {
    Network n;
    n.id = "f0f1f2f3f4f5f6f7f8f9a0a1a2a3a4a5a6a7a8a9b0b1b2b3b4b5b6b7b8b9c0c1";
    n.name = "host";
    n.driver = "host";
    return n;
}

TEST(NetworkJson, InspectHasDockersFieldsInDockersOrder) {
    Endpoint e;
    e.endpoint_id = "e1";
    e.ipv4 = IpPrefix{v4(172, 18, 0, 2), 16};
    e.mac = MacAddress{{0x02, 0x42, 0xac, 0x12, 0x00, 0x02}};
    auto j = network_json(user_network(), {{"c1", e}},
                          [](const std::string& id) { return "name-of-" + id; });
    std::vector<std::string> keys;
    for (const auto& [k, _] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys,
              (std::vector<std::string>{"Name", "Id", "Created", "Scope", "Driver", "EnableIPv6",
                                        "IPAM", "Internal", "Attachable", "Ingress", "ConfigFrom",
                                        "ConfigOnly", "Containers", "Options", "Labels"}));
    EXPECT_EQ(j["Name"], "appnet");
    EXPECT_EQ(j["Scope"], "local");
    EXPECT_EQ(j["Driver"], "bridge");
    EXPECT_EQ(j["ConfigFrom"], nlohmann::ordered_json({{"Network", ""}}));
    EXPECT_EQ(
        j["IPAM"].dump(),
        R"({"Driver":"default","Options":{},"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]})");
    EXPECT_EQ(j["Containers"].dump(),
              R"({"c1":{"Name":"name-of-c1","EndpointID":"e1","MacAddress":"02:42:ac:12:00:02",)"
              R"("IPv4Address":"172.18.0.2/16","IPv6Address":""}})");
    EXPECT_EQ(j["Labels"].dump(), R"({"tier":"front"})");
    EXPECT_EQ(j["Options"].dump(), "{}");
}

TEST(NetworkJson, IpRangeAndAuxAddressesShownOnlyWhenSet) {
    Network n = user_network();
    n.pools[0].ip_range = IpPrefix{v4(172, 18, 5, 0), 24};
    n.pools[0].aux = {{"router", v4(172, 18, 0, 250)}};
    auto j = network_json(n, {}, {});
    EXPECT_EQ(j["IPAM"]["Config"][0].dump(),
              R"({"Subnet":"172.18.0.0/16","IPRange":"172.18.5.0/24","Gateway":"172.18.0.1",)"
              R"("AuxiliaryAddresses":{"router":"172.18.0.250"}})");
    EXPECT_EQ(j["Containers"].dump(), "{}");
}

TEST(NetworkJson, PredefinedNetworksHaveNullIpamOptions) {
    auto j = network_json(host_network(), {}, {});
    EXPECT_TRUE(j["IPAM"]["Options"].is_null());
    EXPECT_EQ(j["IPAM"]["Config"].dump(), "[]");
    EXPECT_EQ(j["Driver"], "host");
}

std::vector<std::string> names_kept(const http::Filters& f, const std::vector<Network>& all,
                                    const std::set<std::string>& used = {}) {
    auto keep = network_list_filter(f, [&](const Network& n) { return used.contains(n.name); });
    EXPECT_TRUE(keep) << keep.error().message;
    std::vector<std::string> out;
    if (!keep) return out;
    for (const auto& n : all)
        if ((*keep)(n)) out.push_back(n.name);
    return out;
}

using Names = std::vector<std::string>;

TEST(NetworkListFilter, DriverNameIdLabelScope) {
    std::vector<Network> all = {predefined_bridge(), host_network(), user_network("web"),
                                user_network("db")};
    all[3].labels = {};
    all[3].id = "aa" + all[3].id.substr(2);
    EXPECT_EQ(names_kept({{"driver", {"host"}}}, all), (Names{"host"}));
    EXPECT_EQ(names_kept({{"driver", {"bridge"}}}, all), (Names{"bridge", "web", "db"}));
    // name and id are regular expressions found anywhere, as Go's filters.Match.
    EXPECT_EQ(names_kept({{"name", {"^w"}}}, all), (Names{"web"}));
    EXPECT_EQ(names_kept({{"name", {"b"}}}, all), (Names{"bridge", "web", "db"}));
    EXPECT_EQ(names_kept({{"id", {"aa"}}}, all), (Names{"db"}));
    EXPECT_EQ(names_kept({{"label", {"tier=front"}}}, all), (Names{"web"}));
    EXPECT_EQ(names_kept({{"label", {"tier"}}}, all), (Names{"web"}));
    EXPECT_EQ(names_kept({{"scope", {"swarm"}}}, all), (Names{}));
    EXPECT_EQ(names_kept({{"scope", {"local"}}}, all).size(), 4u);
}

TEST(NetworkListFilter, TypeAndDangling) {
    std::vector<Network> all = {predefined_bridge(), host_network(), user_network("web"),
                                user_network("db")};
    EXPECT_EQ(names_kept({{"type", {"custom"}}}, all), (Names{"web", "db"}));
    EXPECT_EQ(names_kept({{"type", {"builtin"}}}, all), (Names{"bridge", "host"}));
    EXPECT_EQ(names_kept({{"type", {"builtin", "custom"}}}, all).size(), 4u);
    // Predefined networks are never dangling.
    EXPECT_EQ(names_kept({{"dangling", {"true"}}}, all, {"web"}), (Names{"db"}));
    EXPECT_EQ(names_kept({{"dangling", {"0"}}}, all, {"web"}), (Names{"bridge", "host", "web"}));
}

TEST(NetworkListFilter, RefusesWhatDockerdRefuses) {
    auto no_use = [](const Network&) { return false; };
    EXPECT_EQ(network_list_filter({{"color", {"red"}}}, no_use).error().message,
              "invalid filter 'color'");
    EXPECT_EQ(network_list_filter({{"type", {"odd"}}}, no_use).error().message,
              "invalid filter: 'type'='odd'");
    EXPECT_EQ(network_list_filter({{"dangling", {"maybe"}}}, no_use).error().message,
              "invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or "
              "\"0\")");
    auto two = network_list_filter({{"dangling", {"true", "false"}}}, no_use);
    EXPECT_EQ(two.error().message, "got more than one value for filter key \"dangling\"");
    EXPECT_EQ(two.error().kind, ErrorKind::invalid_argument);
}

TEST(NetworkPruneKeep, LabelsUntilAndPredefined) {
    auto web = user_network("web");  // created 2024-05-06, labelled tier=front
    auto plain = user_network("plain");
    plain.labels = {};
    auto keep_all = network_prune_keep({});
    ASSERT_TRUE(keep_all);
    EXPECT_FALSE((*keep_all)(web));
    EXPECT_TRUE((*keep_all)(predefined_bridge()));
    EXPECT_TRUE((*keep_all)(host_network()));

    auto labelled = network_prune_keep({{"label", {"tier=front"}}});
    EXPECT_FALSE((*labelled)(web));
    EXPECT_TRUE((*labelled)(plain));
    auto not_labelled = network_prune_keep({{"label!", {"tier"}}});
    EXPECT_TRUE((*not_labelled)(web));
    EXPECT_FALSE((*not_labelled)(plain));

    auto before_creation = network_prune_keep({{"until", {"2024-05-01T00:00:00Z"}}});
    ASSERT_TRUE(before_creation) << before_creation.error().message;
    EXPECT_TRUE((*before_creation)(web));
    auto after_creation = network_prune_keep({{"until", {"1800000000"}}});
    EXPECT_FALSE((*after_creation)(web));
    auto duration = network_prune_keep({{"until", {"1h"}}});  // an hour ago: long after 2024
    ASSERT_TRUE(duration) << duration.error().message;
    EXPECT_FALSE((*duration)(web));
}

TEST(NetworkPruneKeep, RefusesOtherFiltersAndBadTimes) {
    EXPECT_EQ(network_prune_keep({{"driver", {"bridge"}}}).error().message,
              "invalid filter 'driver'");
    EXPECT_EQ(network_prune_keep({{"until", {"soon"}}}).error().message,
              "invalid filter 'until=soon'");
}

TEST(NetworkEvent, CarriesNameTypeAndContainer) {
    auto e = engine::network_event(user_network(), "connect", "c0ffee");
    EXPECT_EQ(e.type, "network");
    EXPECT_EQ(e.action, "connect");
    EXPECT_EQ(e.actor_id, user_network().id);
    EXPECT_EQ(e.attributes, (std::map<std::string, std::string>{
                                {"container", "c0ffee"}, {"name", "appnet"}, {"type", "bridge"}}));
    EXPECT_FALSE(engine::network_event(user_network(), "create").attributes.contains("container"));
}

TEST(NetworkNames, PredefinedAsDockerd) {
    for (const char* n : {"bridge", "host", "none", "default", "ingress"})
        EXPECT_TRUE(is_predefined_network_name(n)) << n;
    EXPECT_FALSE(is_predefined_network_name("web"));
}

}  // namespace
}  // namespace berth::api

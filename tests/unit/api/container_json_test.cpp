// The network parts of the container documents: the list's Ports and
// NetworkSettings.Networks, inspect's NetworkSettings.
#include "api/container_json.hpp"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

using engine::Container;
using engine::ContainerStatus;

const Json kBridgeEndpoint = {
    {"IPAMConfig", nullptr},     {"Links", nullptr},         {"Aliases", nullptr},
    {"NetworkID", "n1"},         {"EndpointID", "ep1"},      {"Gateway", "172.17.0.1"},
    {"IPAddress", "172.17.0.2"}, {"IPPrefixLen", 16},        {"IPv6Gateway", ""},
    {"GlobalIPv6Address", ""},   {"GlobalIPv6PrefixLen", 0}, {"MacAddress", "02:42:ac:11:00:02"},
    {"DriverOpts", nullptr}};

// A container on the default bridge exposing 80/tcp and 53/udp, publishing 80.
Container web(ContainerStatus status) {
    Container c;
    c.id = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
    c.name = "web";
    c.settings.network_mode = "default";
    c.settings.config = {
        {"ExposedPorts", {{"80/tcp", Json::object()}, {"53/udp", Json::object()}}}};
    c.settings.host_config = {{"NetworkMode", "default"}};
    c.state.status = status;
    c.state.pid = status == ContainerStatus::running ? 4242 : 0;
    c.networks = {{"bridge", kBridgeEndpoint}};
    if (status == ContainerStatus::running)
        c.ports = {{"80/tcp", Json::array({{{"HostIp", "0.0.0.0"}, {"HostPort", "8080"}}})}};
    return c;
}

Json sorted_ports(Json ports) {
    std::sort(ports.begin(), ports.end(),
              [](const Json& a, const Json& b) { return a.dump() < b.dump(); });
    return ports;
}

TEST(ContainerSummaryNetwork, PortsListBindingsAndUnpublishedPortsWhileRunning) {
    auto j = container_summary_json(web(ContainerStatus::running), std::nullopt);
    EXPECT_EQ(sorted_ports(j["Ports"]),
              sorted_ports(
                  Json::parse(R"([{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
                                           {"PrivatePort":53,"Type":"udp"}])")));
    EXPECT_EQ(j["NetworkSettings"]["Networks"], (Json{{"bridge", kBridgeEndpoint}}));
}

TEST(ContainerSummaryNetwork, StoppedContainerHasNoPorts) {
    auto stopped = web(ContainerStatus::exited);
    stopped.ports = {
        {"80/tcp", Json::array({{{"HostIp", "0.0.0.0"}, {"HostPort", "8080"}}})}};  // stale
    auto j = container_summary_json(stopped, std::nullopt);
    EXPECT_EQ(j["Ports"], Json::array());
    EXPECT_EQ(j["NetworkSettings"]["Networks"].size(), 1u);
}

TEST(ContainerInspectNetwork, RunningOnTheDefaultBridge) {
    auto c = web(ContainerStatus::running);
    auto ns = container_inspect_json(c, {}, {}, std::nullopt)["NetworkSettings"];
    std::vector<std::string> keys;
    for (const auto& [k, _] : ns.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{
                        "Bridge", "SandboxID", "HairpinMode", "LinkLocalIPv6Address",
                        "LinkLocalIPv6PrefixLen", "Ports", "SandboxKey", "SecondaryIPAddresses",
                        "SecondaryIPv6Addresses", "EndpointID", "Gateway", "GlobalIPv6Address",
                        "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen", "IPv6Gateway",
                        "MacAddress", "Networks"}));
    EXPECT_EQ(ns["SandboxKey"], "/proc/4242/ns/net");
    EXPECT_EQ(ns["SandboxID"], c.id);
    EXPECT_EQ(ns["Ports"].dump(),
              R"({"53/udp":null,"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]})");
    EXPECT_EQ(ns["IPAddress"], "172.17.0.2");
    EXPECT_EQ(ns["IPPrefixLen"], 16);
    EXPECT_EQ(ns["Gateway"], "172.17.0.1");
    EXPECT_EQ(ns["EndpointID"], "ep1");
    EXPECT_EQ(ns["MacAddress"], "02:42:ac:11:00:02");
    EXPECT_TRUE(ns["SecondaryIPAddresses"].is_null());
    // The endpoint in dockerd's field order.
    EXPECT_EQ(ns["Networks"]["bridge"].begin().key(), "IPAMConfig");
    EXPECT_EQ(Json(ns["Networks"]["bridge"]), kBridgeEndpoint);
}

TEST(ContainerInspectNetwork, UserNetworkLeavesTheDeprecatedFieldsEmpty) {
    auto c = web(ContainerStatus::running);
    c.settings.network_mode = "appnet";
    c.networks = {{"appnet", kBridgeEndpoint}};
    auto ns = container_inspect_json(c, {}, {}, std::nullopt)["NetworkSettings"];
    EXPECT_EQ(ns["IPAddress"], "");
    EXPECT_EQ(ns["IPPrefixLen"], 0);
    EXPECT_EQ(ns["EndpointID"], "");
    EXPECT_EQ(ns["Networks"].size(), 1u);
    EXPECT_TRUE(ns["Networks"].contains("appnet"));
}

TEST(ContainerInspectNetwork, StoppedHasNoSandboxOrPorts) {
    auto ns = container_inspect_json(web(ContainerStatus::exited), {}, {},
                                     std::nullopt)["NetworkSettings"];
    EXPECT_EQ(ns["SandboxKey"], "");
    EXPECT_EQ(ns["SandboxID"], "");
    EXPECT_EQ(ns["Ports"].dump(), "{}");
}

TEST(ContainerInspectNetwork, HostNetworkShowsNoUnpublishedPorts) {
    auto c = web(ContainerStatus::running);
    c.settings.network_mode = "host";
    c.ports = Json::object();
    c.networks = {{"host", kBridgeEndpoint}};
    auto ns = container_inspect_json(c, {}, {}, std::nullopt)["NetworkSettings"];
    EXPECT_EQ(ns["Ports"].dump(), "{}");
    EXPECT_EQ(ns["SandboxKey"], "/proc/4242/ns/net");
}

TEST(ContainerInspectNetwork, SharedNamespaceHasNoSandboxOfItsOwn) {
    auto c = web(ContainerStatus::running);
    c.settings.network_mode = "container:abc";
    c.networks = Json::object();
    auto ns = container_inspect_json(c, {}, {}, std::nullopt)["NetworkSettings"];
    EXPECT_EQ(ns["SandboxKey"], "");
    EXPECT_EQ(ns["Networks"].dump(), "{}");
}

}  // namespace
}  // namespace berth::api

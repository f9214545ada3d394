#include "network/sandbox_files.hpp"

#include <gtest/gtest.h>

#include "network/port_bindings.hpp"
#include "network/network_service.hpp"

namespace berth::network {

TEST(SandboxFiles, HostsHasLocalhostExtrasAndTheOwnAddressLast) {
    auto text = hosts_file({{"10.0.0.9", {"db", "database"}}}, {"172.18.0.2"}, "web", "example.test");
    EXPECT_EQ(text.find("127.0.0.1\tlocalhost\n"), 0u);
    EXPECT_NE(text.find("10.0.0.9\tdb database\n"), std::string::npos);
    EXPECT_TRUE(text.ends_with("172.18.0.2\tweb.example.test web\n"));
    EXPECT_EQ(hosts_file({}, {}, "x", "").find("\tx"), std::string::npos);
}

TEST(SandboxFiles, ExtraHostsAndHostGateway) {
    auto gw = IpAddress::parse("172.17.0.1");
    EXPECT_EQ(parse_extra_host("a:1.2.3.4", std::nullopt)->address, "1.2.3.4");
    EXPECT_EQ(parse_extra_host("a=1.2.3.4", std::nullopt)->names[0], "a");
    EXPECT_EQ(parse_extra_host("h:host-gateway", *gw)->address, "172.17.0.1");
    EXPECT_EQ(parse_extra_host("six:[fd00::1]", std::nullopt)->address, "fd00::1");
    EXPECT_FALSE(parse_extra_host("h:host-gateway", std::nullopt));
    auto bad = parse_extra_host("a:not-an-ip", std::nullopt);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("not-an-ip"), std::string::npos);
    EXPECT_FALSE(parse_extra_host("noseparator", std::nullopt));
}

TEST(SandboxFiles, ResolvConfDropsLoopbackServersAndHonoursSettings) {
    std::string host = "# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.test\noptions edns0\n";
    EXPECT_EQ(resolv_conf_file(host, {}, false), "nameserver 10.0.0.2\nsearch corp.test\noptions edns0\n");
    EXPECT_EQ(resolv_conf_file("nameserver 127.0.0.53\n", {}, false), "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    EXPECT_EQ(resolv_conf_file(host, {{"1.1.1.1"}, {"a.test", "b.test"}, {"ndots:3"}}, false),
              "nameserver 1.1.1.1\nsearch a.test b.test\noptions ndots:3\n");
    EXPECT_EQ(resolv_conf_file(host, {{}, {"."}, {}}, false), "nameserver 10.0.0.2\noptions edns0\n");
    EXPECT_EQ(resolv_conf_file(host, {{"1.1.1.1"}, {}, {}}, true),
              "nameserver 127.0.0.11\nsearch corp.test\noptions edns0 ndots:0\n");
}

TEST(PortBindings, ParsesBindingsRangesAndPublishAll) {
    auto bindings = parse_json(R"({"80/tcp":[{"HostIp":"","HostPort":"8080"},{"HostIp":"127.0.0.1","HostPort":""}],
                                   "53/udp":[{"HostPort":"5300-5310"}]})", "test").value();
    auto exposed = parse_json(R"({"80/tcp":{},"443/tcp":{}})", "test").value();
    auto reqs = port_requests(bindings, exposed, true);
    ASSERT_TRUE(reqs) << reqs.error().message;
    ASSERT_EQ(reqs->size(), 4u);
    int seen = 0;
    for (const auto& r : *reqs) {
        if (r.container_port == 53) {
            EXPECT_EQ(r.proto, "udp");
            EXPECT_EQ(r.host_first, 5300);
            EXPECT_EQ(r.host_last, 5310);
            ++seen;
        } else if (r.container_port == 443) {
            EXPECT_EQ(r.host_first, 0);  // publish-all: a random port
            ++seen;
        } else if (r.host_ip) {
            EXPECT_EQ(r.host_ip->str(), "127.0.0.1");
            EXPECT_EQ(r.host_first, 0);
            ++seen;
        } else {
            EXPECT_EQ(r.host_first, 8080);
            ++seen;
        }
    }
    EXPECT_EQ(seen, 4);
}

TEST(PortBindings, BadSpecsNameTheSpec) {
    for (const char* text : {R"({"80x/tcp":[]})", R"({"80/icmp":[]})", R"({"80/tcp":[{"HostPort":"99999"}]})",
                             R"({"80/tcp":[{"HostPort":"9-3"}]})", R"({"80/tcp":[{"HostIp":"nope"}]})"}) {
        auto r = port_requests(parse_json(text, "test").value(), Json::object(), false);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument) << text;
    }
}

TEST(PortBindings, PublishedPortsRoundTripAsDockersShape) {
    std::vector<PublishedPort> ports = {{"tcp", 80, "0.0.0.0", 8080}, {"udp", 53, "127.0.0.1", 5353}};
    auto j = ports_json(ports);
    EXPECT_EQ(j["80/tcp"][0]["HostPort"], "8080");
    EXPECT_EQ(j["53/udp"][0]["HostIp"], "127.0.0.1");
    auto back = ports_from_json(j);
    ASSERT_EQ(back.size(), 2u);
}

}  // namespace berth::network

#include "network/firewall.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>

#include "in_private_netns.hpp"

namespace berth::network {
namespace {

using test::in_private_netns;

IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}

IpPrefix prefix(const char* text) {
    return IpPrefix::parse(text).value();
}

PortMapping tcp_any(std::uint16_t host_port, const char* container, std::uint16_t container_port) {
    return PortMapping{"tcp", std::nullopt, host_port, ip(container), container_port};
}

PortMapping on_address(const char* proto, const char* host, std::uint16_t host_port,
                       const char* container, std::uint16_t container_port) {
    return PortMapping{proto, ip(host), host_port, ip(container), container_port};
}

FirewallNetwork network(const char* bridge, std::vector<IpPrefix> subnets) {
    return FirewallNetwork{bridge, std::move(subnets)};
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The text of "map NAME { ... }" (its closing brace is the one one tab in).
std::string map_text(const std::string& ruleset, const std::string& name) {
    auto start = ruleset.find("map " + name + " {");
    if (start == std::string::npos) return "";
    return ruleset.substr(start, ruleset.find("\n\t}", start) - start);
}

// `nft list ...` through a libnftables context of the test's own, in the
// calling thread's namespace: "" when the command fails (no such table).
std::string nft_list(const std::string& what) {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    int rc = nft_run_cmd_from_buffer(ctx, ("list " + what).c_str());
    std::string out = rc == 0 ? nft_ctx_get_output_buffer(ctx) : "";
    nft_ctx_free(ctx);
    return out;
}

std::unique_ptr<Firewall> open_firewall(const std::string& table = "berth-test") {
    auto fw = Firewall::open(table);
    EXPECT_TRUE(fw) << fw.error().message;
    return fw ? std::move(*fw) : nullptr;
}

// Two networks: an ordinary one and an internal one without ICC.
std::vector<FirewallNetwork> two_networks() {
    auto plain = network("br-plain", {prefix("172.30.0.0/16"), prefix("fd30::/64")});
    auto closed = network("br-closed", {prefix("172.31.0.0/16")});
    closed.internal = true;
    closed.icc = false;
    return {plain, closed};
}

std::vector<PortMapping> some_ports() {
    return {tcp_any(8080, "172.30.0.2", 80), on_address("udp", "127.0.0.1", 5353, "172.30.0.2", 53),
            PortMapping{"tcp", std::nullopt, 8443, ip("fd30::2"), 443},
            on_address("tcp", "::1", 9000, "fd30::3", 9001)};
}

TEST(FirewallRender, ReplacesBothTablesInOneBuffer) {
    auto text = Firewall::render("t", {}, {});
    // Created first so the delete never fails, then defined afresh.
    EXPECT_EQ(
        text.rfind(
            "table inet t {}\ndelete table inet t\ntable bridge t {}\ndelete table bridge t\n", 0),
        0u)
        << text;
    EXPECT_TRUE(has(text, "table inet t {\n")) << text;
    EXPECT_TRUE(has(text, "table bridge t {\n")) << text;
}

TEST(FirewallRender, PublishedPortsGoToTheMapOfTheirFamilyAndHostAddress) {
    auto text = Firewall::render("t", two_networks(), some_ports());
    EXPECT_TRUE(has(map_text(text, "ports4_any"),
                    "type inet_proto . inet_service : ipv4_addr . inet_service"));
    EXPECT_TRUE(has(map_text(text, "ports4_any"), "elements = { tcp . 8080 : 172.30.0.2 . 80 }"))
        << text;
    EXPECT_TRUE(has(map_text(text, "ports4_addr"),
                    "type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service"));
    EXPECT_TRUE(has(map_text(text, "ports4_addr"),
                    "elements = { 127.0.0.1 . udp . 5353 : 172.30.0.2 . 53 }"))
        << text;
    EXPECT_TRUE(has(map_text(text, "ports6_any"), "elements = { tcp . 8443 : fd30::2 . 443 }"))
        << text;
    EXPECT_TRUE(
        has(map_text(text, "ports6_addr"), "elements = { ::1 . tcp . 9000 : fd30::3 . 9001 }"))
        << text;
}

TEST(FirewallRender, AnUnspecifiedHostAddressMeansEveryAddress) {
    auto text = Firewall::render("t", {}, {on_address("tcp", "0.0.0.0", 80, "172.30.0.2", 80)});
    EXPECT_TRUE(has(map_text(text, "ports4_any"), "tcp . 80 : 172.30.0.2 . 80")) << text;
    EXPECT_FALSE(has(map_text(text, "ports4_addr"), "elements")) << text;
}

TEST(FirewallRender, PublishedPortsAreDnatedForLocalAddresses) {
    auto text = Firewall::render("t", {}, {});
    EXPECT_TRUE(has(text,
                    "type nat hook prerouting priority dstnat; policy accept;\n\t\tfib daddr type "
                    "local jump publish"));
    EXPECT_TRUE(has(text,
                    "type nat hook output priority -100; policy accept;\n\t\tfib daddr type local "
                    "jump publish"));
    EXPECT_TRUE(has(text, "dnat ip to ip daddr . meta l4proto . th dport map @ports4_addr"));
    EXPECT_TRUE(has(text, "dnat ip to meta l4proto . th dport map @ports4_any"));
    EXPECT_TRUE(has(text, "dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6_addr"));
    EXPECT_TRUE(has(text, "dnat ip6 to meta l4proto . th dport map @ports6_any"));
}

TEST(FirewallRender, MasqueradesOnlyNetworksThatLeaveTheHost) {
    auto nets = two_networks();
    auto quiet = network("br-quiet", {prefix("172.29.0.0/16")});
    quiet.masquerade = false;
    nets.push_back(quiet);
    auto text = Firewall::render("t", nets, {});
    EXPECT_TRUE(has(text, "ip saddr 172.30.0.0/16 oifname != \"br-plain\" masquerade")) << text;
    EXPECT_TRUE(has(text, "ip6 saddr fd30::/64 oifname != \"br-plain\" masquerade")) << text;
    EXPECT_FALSE(has(text, "oifname != \"br-closed\" masquerade")) << text;
    EXPECT_FALSE(has(text, "oifname != \"br-quiet\" masquerade")) << text;
}

TEST(FirewallRender, MasqueradesLoopbackAndHairpinConnectionsToPublishedPorts) {
    auto text = Firewall::render("t", two_networks(), {});
    EXPECT_TRUE(has(text, "oifname \"br-plain\" ct status dnat ip saddr 127.0.0.0/8 masquerade"))
        << text;
    EXPECT_TRUE(has(text, "oifname \"br-plain\" ct status dnat ip saddr 172.30.0.0/16 masquerade"))
        << text;
    EXPECT_TRUE(has(text, "oifname \"br-plain\" ct status dnat ip6 saddr fd30::/64 masquerade"))
        << text;
}

TEST(FirewallRender, SubnetsAreWrittenInNetworkForm) {
    auto text = Firewall::render("t", {network("br-a", {prefix("10.7.3.1/24")})}, {});
    EXPECT_TRUE(has(text, "ip saddr 10.7.3.0/24 oifname")) << text;
    EXPECT_FALSE(has(text, "10.7.3.1")) << text;
}

TEST(FirewallRender, InternalNetworksReachOnlyTheirBridge) {
    auto text = Firewall::render("t", two_networks(), {});
    EXPECT_TRUE(has(text, "iifname \"br-closed\" oifname != \"br-closed\" drop")) << text;
    EXPECT_TRUE(has(text, "oifname \"br-closed\" iifname != \"br-closed\" drop")) << text;
    EXPECT_FALSE(has(text, "iifname \"br-plain\" oifname != \"br-plain\" drop")) << text;
    // Internal drops come before published ports are let through.
    EXPECT_LT(text.find("iifname \"br-closed\" oifname != "), text.find("ct status dnat accept"))
        << text;
}

TEST(FirewallRender, NetworksAreIsolatedFromEachOther) {
    auto nets = two_networks();
    nets.push_back(network("br-third", {prefix("172.28.0.0/16")}));
    auto text = Firewall::render("t", nets, {});
    EXPECT_TRUE(has(text, "iifname \"br-plain\" oifname { \"br-closed\", \"br-third\" } drop"))
        << text;
    EXPECT_TRUE(has(text, "iifname \"br-third\" oifname { \"br-plain\", \"br-closed\" } drop"))
        << text;

    auto alone = Firewall::render("t", {network("br-a", {prefix("10.7.3.0/24")})}, {});
    EXPECT_FALSE(has(alone, "oifname {")) << alone;
}

TEST(FirewallRender, NoIccDropsBridgedTrafficWithinTheNetwork) {
    auto text = Firewall::render("t", two_networks(), {});
    auto bridge = text.substr(text.find("table bridge t {\n"));
    EXPECT_TRUE(has(bridge, "type filter hook forward priority filter; policy accept;")) << bridge;
    EXPECT_TRUE(has(bridge, "ip saddr 172.31.0.0/16 ip daddr 172.31.0.0/16 drop")) << bridge;
    EXPECT_FALSE(has(bridge, "172.30.0.0")) << bridge;
}

TEST(Firewall, RejectsNamesThatWouldBreakTheRules) {
    EXPECT_FALSE(Firewall::open("has space"));
    EXPECT_FALSE(Firewall::open("9lives"));
    EXPECT_FALSE(Firewall::open(""));
    auto fw = Firewall::open("berth");
    ASSERT_TRUE(fw) << fw.error().message;
    auto quote = (*fw)->sync({network("br\"x", {})}, {});
    ASSERT_FALSE(quote);
    EXPECT_EQ(quote.error().kind, ErrorKind::invalid_argument);
    auto star = (*fw)->sync({network("br-*", {})}, {});
    EXPECT_FALSE(star);
    auto proto = (*fw)->add_ports({PortMapping{"icmp", std::nullopt, 1, ip("10.0.0.2"), 1}});
    EXPECT_FALSE(proto);
    auto mixed = (*fw)->add_ports({on_address("tcp", "::1", 80, "10.0.0.2", 80)});
    EXPECT_FALSE(mixed);
}

// Kernel tests: each in a network namespace of its own, where the Firewall
// (and so libnftables' netlink socket) is created.

TEST(Firewall, SyncLoadsTheTablesAndIsIdempotent) {
    in_private_netns([] {
        auto fw = open_firewall();
        ASSERT_TRUE(fw);
        for (int i = 0; i < 2; ++i) {
            auto r = fw->sync(two_networks(), some_ports());
            ASSERT_TRUE(r) << "sync " << i << ": " << r.error().message;
        }
        auto inet = nft_list("table inet berth-test");
        EXPECT_TRUE(has(map_text(inet, "ports4_any"), "tcp . 8080 : 172.30.0.2 . 80")) << inet;
        EXPECT_TRUE(has(map_text(inet, "ports4_addr"), "127.0.0.1 . udp . 5353 : 172.30.0.2 . 53"))
            << inet;
        EXPECT_TRUE(has(map_text(inet, "ports6_any"), "tcp . 8443 : fd30::2 . 443")) << inet;
        EXPECT_TRUE(has(map_text(inet, "ports6_addr"), "::1 . tcp . 9000 : fd30::3 . 9001"))
            << inet;
        EXPECT_TRUE(has(inet, "dnat ip to meta l4proto . th dport map @ports4_any")) << inet;
        EXPECT_TRUE(has(inet, "dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6_addr"))
            << inet;
        EXPECT_TRUE(has(inet, "ip saddr 172.30.0.0/16 oifname != \"br-plain\" masquerade")) << inet;
        EXPECT_TRUE(has(inet, "iifname \"br-closed\" oifname != \"br-closed\" drop")) << inet;
        EXPECT_TRUE(has(inet, "iifname \"br-plain\" oifname \"br-closed\" drop")) << inet;
        // Synced twice, each rule is there once.
        auto first = inet.find("ct status dnat accept");
        ASSERT_NE(first, std::string::npos) << inet;
        EXPECT_EQ(inet.find("ct status dnat accept", first + 1), std::string::npos) << inet;

        auto bridge = nft_list("table bridge berth-test");
        EXPECT_TRUE(has(bridge, "ip saddr 172.31.0.0/16 ip daddr 172.31.0.0/16 drop")) << bridge;

        // A later sync replaces everything: ports and networks that are gone go.
        ASSERT_TRUE(fw->sync({network("br-plain", {prefix("172.30.0.0/16")})}, {}));
        inet = nft_list("table inet berth-test");
        EXPECT_FALSE(has(inet, "8080")) << inet;
        EXPECT_FALSE(has(inet, "br-closed")) << inet;
        EXPECT_FALSE(has(nft_list("table bridge berth-test"), "drop"));
    });
}

TEST(Firewall, PortsComeAndGoAsMapElements) {
    in_private_netns([] {
        auto fw = open_firewall();
        ASSERT_TRUE(fw);
        ASSERT_TRUE(fw->sync(two_networks(), {}));
        auto ports = some_ports();
        auto added = fw->add_ports(ports);
        ASSERT_TRUE(added) << added.error().message;
        ASSERT_TRUE(fw->add_ports(ports)) << "adding the same elements again is not an error";
        auto inet = nft_list("table inet berth-test");
        EXPECT_TRUE(has(map_text(inet, "ports4_any"), "tcp . 8080 : 172.30.0.2 . 80")) << inet;
        EXPECT_TRUE(has(map_text(inet, "ports6_addr"), "::1 . tcp . 9000 : fd30::3 . 9001"))
            << inet;

        auto removed = fw->remove_ports({ports[0], ports[3]});
        ASSERT_TRUE(removed) << removed.error().message;
        inet = nft_list("table inet berth-test");
        EXPECT_FALSE(has(inet, "8080")) << inet;
        EXPECT_FALSE(has(inet, "9000")) << inet;
        EXPECT_TRUE(has(map_text(inet, "ports4_addr"), "127.0.0.1 . udp . 5353 : 172.30.0.2 . 53"))
            << inet;

        auto again = fw->remove_ports({ports[0], ports[3]});
        EXPECT_TRUE(again) << "removing absent ports: " << again.error().message;
        // The rest of the table survives the add-then-delete of absent ones.
        EXPECT_TRUE(has(nft_list("table inet berth-test"), "127.0.0.1 . udp . 5353"));
    });
}

TEST(Firewall, ErrorsComeFromNftablesWithTheTableNamed) {
    in_private_netns([] {
        auto fw = open_firewall();
        ASSERT_TRUE(fw);
        auto r = fw->add_ports({tcp_any(8080, "172.30.0.2", 80)});
        ASSERT_FALSE(r) << "added a port to a table that does not exist";
        EXPECT_EQ(r.error().message.rfind("nftables (table berth-test): Error: ", 0), 0u)
            << r.error().message;
        EXPECT_NE(r.error().message.back(), '\n');
        // Removing from a table that does not exist has nothing to remove.
        auto removed = fw->remove_ports({tcp_any(8080, "172.30.0.2", 80)});
        EXPECT_TRUE(removed) << removed.error().message;
        EXPECT_EQ(nft_list("table inet berth-test"), "") << "remove_ports created the table";
    });
}

TEST(Firewall, DestroyRemovesBothTablesAndToleratesTheirAbsence) {
    in_private_netns([] {
        auto fw = open_firewall();
        ASSERT_TRUE(fw);
        ASSERT_TRUE(fw->sync(two_networks(), some_ports()));
        ASSERT_NE(nft_list("table inet berth-test"), "");
        auto r = fw->destroy();
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(nft_list("table inet berth-test"), "");
        EXPECT_EQ(nft_list("table bridge berth-test"), "");
        auto again = fw->destroy();
        EXPECT_TRUE(again) << again.error().message;
    });
}

TEST(Firewall, TablesOfOtherNamesAreLeftAlone) {
    in_private_netns([] {
        auto mine = open_firewall("berth-a");
        auto other = open_firewall("berth-b");
        ASSERT_TRUE(mine && other);
        ASSERT_TRUE(other->sync(two_networks(), some_ports()));
        ASSERT_TRUE(mine->sync({}, {}));
        ASSERT_TRUE(mine->destroy());
        EXPECT_TRUE(has(nft_list("table inet berth-b"), "tcp . 8080"))
            << "berth-a's sync or destroy hit berth-b";
    });
}

// How long publishing one port takes (a container start pays it once per port).
TEST(Firewall, AddingOnePortIsCheap) {
    in_private_netns([] {
        auto fw = open_firewall();
        ASSERT_TRUE(fw);
        ASSERT_TRUE(fw->sync(two_networks(), some_ports()));
        constexpr int kPorts = 200;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kPorts; ++i) {
            auto r =
                fw->add_ports({tcp_any(static_cast<std::uint16_t>(20000 + i), "172.30.0.9", 80)});
            ASSERT_TRUE(r) << r.error().message;
        }
        auto each =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start) /
            kPorts;
        std::cout << "[ timing   ] add_ports of one element: " << each.count() << " us\n";
        RecordProperty("add_ports_one_element_us", static_cast<int>(each.count()));
        // Generous bound: a shared 2-core machine; the point is no per-call ruleset dump.
        EXPECT_LT(each.count(), 20000.0);
        EXPECT_TRUE(has(nft_list("table inet berth-test"), "tcp . 20199 : 172.30.0.9 . 80"));
    });
}

// End to end on loopback: the host's own connection to a published port is
// DNATed (output hook) to where the "container" listens.
UniqueFd tcp_listener(bool v6, std::uint16_t port) {
    UniqueFd s(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons(port);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a->sin_port = htons(port);
        len = sizeof *a;
    }
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(s.get(), 8) != 0)
        return UniqueFd();
    return s;
}

// 0 when connected, else the errno of connect.
int connect_to(bool v6, std::uint16_t port) {
    UniqueFd s(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int rc;
    if (v6) {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_loopback;
        a.sin6_port = htons(port);
        rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    return rc == 0 ? 0 : errno;
}

TEST(Firewall, PublishedPortsAreDnatedEndToEnd) {
    in_private_netns([] {
        ASSERT_TRUE(test::loopback_up());
        auto server4 = tcp_listener(false, 9090);
        auto server6 = tcp_listener(true, 9090);
        ASSERT_TRUE(server4 && server6);
        auto fw = open_firewall();
        ASSERT_TRUE(fw);
        std::vector<PortMapping> ports = {on_address("tcp", "127.0.0.1", 8080, "127.0.0.1", 9090),
                                          tcp_any(8081, "127.0.0.1", 9090),
                                          PortMapping{"tcp", std::nullopt, 8082, ip("::1"), 9090}};
        ASSERT_TRUE(fw->sync({}, {ports[0]}));
        ASSERT_TRUE(fw->add_ports({ports[1], ports[2]}));

        EXPECT_EQ(connect_to(false, 8080), 0) << "via ports4_addr";
        EXPECT_EQ(connect_to(false, 8081), 0) << "via ports4_any";
        EXPECT_EQ(connect_to(true, 8082), 0) << "via ports6_any";
        EXPECT_EQ(connect_to(false, 8083), ECONNREFUSED) << "an unpublished port";

        ASSERT_TRUE(fw->remove_ports(ports));
        EXPECT_EQ(connect_to(false, 8080), ECONNREFUSED);
        EXPECT_EQ(connect_to(false, 8081), ECONNREFUSED);
        EXPECT_EQ(connect_to(true, 8082), ECONNREFUSED);
    });
}

}  // namespace
}  // namespace berth::network

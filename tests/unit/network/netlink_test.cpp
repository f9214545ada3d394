#include "network/netlink.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/text.hpp"
#include "network/netns.hpp"

namespace berth::network {
namespace {

IpAddress ip(std::string_view text) {
    return IpAddress::parse(text).value();
}
IpPrefix prefix(std::string_view text) {
    return IpPrefix::parse(text).value();
}

bool has(const std::vector<IpPrefix>& v, const IpPrefix& p) {
    return std::find(v.begin(), v.end(), p) != v.end();
}

// Two private namespaces: "host" plays the daemon's (a bridge), "peer" a
// container's. Whatever a test creates lives in them and goes when the last fd
// on each (these and the netlink sockets) is closed, failed test or not.
class NetlinkTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto h = new_netns();
        ASSERT_TRUE(h) << h.error().message;
        host_ns = std::move(*h);
        auto p = new_netns();
        ASSERT_TRUE(p) << p.error().message;
        peer_ns = std::move(*p);
        auto hn = Netlink::open_in(host_ns.get());
        ASSERT_TRUE(hn) << hn.error().message;
        host.emplace(std::move(*hn));
        auto pn = Netlink::open_in(peer_ns.get());
        ASSERT_TRUE(pn) << pn.error().message;
        peer.emplace(std::move(*pn));
    }

    LinkInfo link_in(Netlink& nl, const std::string& name) {
        auto l = nl.link(name);
        EXPECT_TRUE(l) << l.error().message;
        EXPECT_TRUE(l && *l) << "no link " << name;
        return l && *l ? **l : LinkInfo{};
    }

    // What a container start does: bridge br0 (10.88.0.1/24, fd88::1/64), veth
    // vh0 on it, its peer eth0 in the peer namespace addressed and routed.
    void connect_peer() {
        ASSERT_TRUE(host->create_bridge("br0", 0));
        ASSERT_TRUE(host->add_address("br0", prefix("10.88.0.1/24")));
        ASSERT_TRUE(host->add_address("br0", prefix("fd88::1/64")));
        ASSERT_TRUE(host->set_up("br0"));
        auto veth = host->create_veth("vh0", "eth0", peer_ns.get(), 1450);
        ASSERT_TRUE(veth) << veth.error().message;
        ASSERT_TRUE(host->set_master("vh0", "br0"));
        ASSERT_TRUE(host->set_hairpin("vh0", true));
        ASSERT_TRUE(host->set_up("vh0"));
        ASSERT_TRUE(peer->set_mac("eth0", MacAddress::from_ipv4(ip("10.88.0.2"))));
        ASSERT_TRUE(peer->add_address("eth0", prefix("10.88.0.2/24")));
        ASSERT_TRUE(peer->add_address("eth0", prefix("fd88::2/64")));
        ASSERT_TRUE(peer->set_up("eth0"));
        auto v4 = peer->add_default_route(ip("10.88.0.1"));
        ASSERT_TRUE(v4) << v4.error().message;
        auto v6 = peer->add_default_route(ip("fd88::1"));
        ASSERT_TRUE(v6) << v6.error().message;
    }

    UniqueFd host_ns, peer_ns;
    std::optional<Netlink> host, peer;
};

TEST_F(NetlinkTest, ANewNamespaceHasOnlyLoopbackDown) {
    auto links = host->links();
    ASSERT_TRUE(links) << links.error().message;
    ASSERT_EQ(links->size(), 1u);
    EXPECT_EQ((*links)[0].name, "lo");
    EXPECT_EQ((*links)[0].index, 1);
    EXPECT_EQ((*links)[0].kind, "");
    EXPECT_FALSE((*links)[0].up);
    EXPECT_EQ((*links)[0].mtu, 65536);
    auto missing = host->link("nothing0");
    ASSERT_TRUE(missing) << missing.error().message;
    EXPECT_FALSE(*missing);
}

TEST_F(NetlinkTest, OpenUsesTheCallersNamespace) {
    // Netlink::open() on a thread inside the peer namespace sees that namespace.
    ASSERT_TRUE(peer->create_bridge("only-in-peer", 0));
    bool seen = false;
    auto ran = run_in_netns(peer_ns.get(), [&]() -> Result<void> {
        auto nl = BERTH_TRY(Netlink::open());
        auto l = BERTH_TRY(nl.link("only-in-peer"));
        seen = l.has_value();
        return {};
    });
    ASSERT_TRUE(ran) << ran.error().message;
    EXPECT_TRUE(seen);
    EXPECT_FALSE(host->link("only-in-peer").value());
}

TEST_F(NetlinkTest, CreateBridgeIsIdempotentAndLeavesAnExistingOneAlone) {
    auto made = host->create_bridge("br0", 1400);
    ASSERT_TRUE(made) << made.error().message;
    auto br = link_in(*host, "br0");
    EXPECT_EQ(br.kind, "bridge");
    EXPECT_EQ(br.mtu, 1400);
    EXPECT_FALSE(br.up);
    EXPECT_EQ(br.master, 0);
    auto again = host->create_bridge("br0", 9000);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(link_in(*host, "br0").mtu, 1400);
    EXPECT_EQ(link_in(*host, "br0").index, br.index);
}

TEST_F(NetlinkTest, CreateBridgeOverALinkOfAnotherKindFails) {
    ASSERT_TRUE(host->create_veth("v0", "v1", -1, 0));
    auto r = host->create_bridge("v0", 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, EEXIST);
    EXPECT_EQ(r.error().kind, ErrorKind::conflict);
    EXPECT_EQ(r.error().message.rfind("creating bridge \"v0\": File exists", 0), 0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find("veth"), std::string::npos) << r.error().message;
}

TEST_F(NetlinkTest, VethPeerIsCreatedDirectlyInItsNamespace) {
    auto r = host->create_veth("vh0", "eth0", peer_ns.get(), 1450);
    ASSERT_TRUE(r) << r.error().message;
    auto here = link_in(*host, "vh0");
    EXPECT_EQ(here.kind, "veth");
    EXPECT_EQ(here.mtu, 1450);
    EXPECT_FALSE(host->link("eth0").value());
    auto there = link_in(*peer, "eth0");
    EXPECT_EQ(there.kind, "veth");
    EXPECT_EQ(there.mtu, 1450);
    auto peer_links = peer->links().value();
    EXPECT_EQ(peer_links.size(), 2u);  // lo and eth0

    auto twice = host->create_veth("vh0", "eth1", peer_ns.get(), 0);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().sys_errno, EEXIST);
    EXPECT_EQ(twice.error().message, "creating veth pair \"vh0\" and \"eth1\": File exists");
    EXPECT_FALSE(peer->link("eth1").value());
}

TEST_F(NetlinkTest, ConfiguresABridgePort) {
    ASSERT_TRUE(host->create_bridge("br0", 0));
    ASSERT_TRUE(host->create_veth("vh0", "eth0", peer_ns.get(), 0));
    auto master = host->set_master("vh0", "br0");
    ASSERT_TRUE(master) << master.error().message;
    auto up = host->set_up("vh0");
    ASSERT_TRUE(up) << up.error().message;
    auto mtu = host->set_mtu("vh0", 1280);
    ASSERT_TRUE(mtu) << mtu.error().message;
    auto hairpin = host->set_hairpin("vh0", true);
    ASSERT_TRUE(hairpin) << hairpin.error().message;

    auto port = link_in(*host, "vh0");
    EXPECT_EQ(port.master, link_in(*host, "br0").index);
    EXPECT_TRUE(port.up);
    EXPECT_EQ(port.mtu, 1280);
    auto all = host->links().value();
    auto listed =
        std::find_if(all.begin(), all.end(), [](const LinkInfo& l) { return l.name == "vh0"; });
    ASSERT_NE(listed, all.end());
    EXPECT_EQ(listed->master, port.master);
    EXPECT_EQ(listed->kind, "veth");
}

// Hairpin mode is not in LinkInfo: iproute2, run in the host namespace, reads it back.
TEST_F(NetlinkTest, SetHairpinTurnsTheBridgePortOptionOnAndOff) {
    if (std::system("command -v ip >/dev/null && command -v nsenter >/dev/null") != 0)
        GTEST_SKIP() << "needs ip (iproute2) and nsenter to read the port back";
    ASSERT_TRUE(host->create_bridge("br0", 0));
    ASSERT_TRUE(host->create_veth("vh0", "eth0", peer_ns.get(), 0));
    ASSERT_TRUE(host->set_master("vh0", "br0"));
    auto hairpin_shown = [&] {
        std::string cmd = cat("nsenter --net=/proc/", ::getpid(), "/fd/", host_ns.get(),
                              " ip -d -j link show dev vh0");
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
            ::pclose(p);
        }
        return out;
    };
    EXPECT_NE(hairpin_shown().find("\"hairpin\":false"), std::string::npos) << hairpin_shown();
    ASSERT_TRUE(host->set_hairpin("vh0", true));
    EXPECT_NE(hairpin_shown().find("\"hairpin\":true"), std::string::npos) << hairpin_shown();
    ASSERT_TRUE(host->set_hairpin("vh0", false));
    EXPECT_NE(hairpin_shown().find("\"hairpin\":false"), std::string::npos) << hairpin_shown();
}

TEST_F(NetlinkTest, SetMacChangesTheHardwareAddress) {
    ASSERT_TRUE(host->create_veth("vh0", "eth0", peer_ns.get(), 0));
    auto mac = MacAddress::from_ipv4(ip("172.17.0.5"));
    auto r = peer->set_mac("eth0", mac);
    ASSERT_TRUE(r) << r.error().message;
    // SIOCGIFHWADDR on a socket of the peer namespace: the kernel's view, not netlink's.
    auto sock = socket_in_netns(peer_ns.get(), AF_INET, SOCK_DGRAM, 0);
    ASSERT_TRUE(sock) << sock.error().message;
    ifreq req{};
    std::strncpy(req.ifr_name, "eth0", IFNAMSIZ - 1);
    ASSERT_EQ(::ioctl(sock->get(), SIOCGIFHWADDR, &req), 0) << std::strerror(errno);
    MacAddress got;
    std::memcpy(got.bytes.data(), req.ifr_hwaddr.sa_data, 6);
    EXPECT_EQ(got.str(), "02:42:ac:11:00:05");
}

TEST_F(NetlinkTest, RenameKeepsTheLink) {
    ASSERT_TRUE(host->create_veth("tmp0", "eth0", peer_ns.get(), 0));
    int index = link_in(*host, "tmp0").index;
    auto r = host->rename("tmp0", "vh7");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(host->link("tmp0").value());
    EXPECT_EQ(link_in(*host, "vh7").index, index);

    auto missing = host->rename("tmp0", "vh8");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
    EXPECT_EQ(missing.error().message, "renaming link \"tmp0\" to \"vh8\": no link named \"tmp0\"");
}

TEST_F(NetlinkTest, DeleteLinkSaysWhetherThereWasOne) {
    ASSERT_TRUE(host->create_veth("vh0", "eth0", peer_ns.get(), 0));
    auto deleted = host->delete_link("vh0");
    ASSERT_TRUE(deleted) << deleted.error().message;
    EXPECT_TRUE(*deleted);
    EXPECT_FALSE(host->link("vh0").value());
    EXPECT_FALSE(peer->link("eth0").value());  // a veth pair goes as a whole
    auto again = host->delete_link("vh0");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(*again);
}

TEST_F(NetlinkTest, AddressesAreAddedOnceAndListedPerLink) {
    ASSERT_TRUE(host->create_bridge("br0", 0));
    ASSERT_TRUE(host->create_bridge("br1", 0));
    auto a = host->add_address("br0", prefix("10.88.0.1/24"));
    ASSERT_TRUE(a) << a.error().message;
    auto again = host->add_address("br0", prefix("10.88.0.1/24"));
    ASSERT_TRUE(again) << again.error().message;
    auto v6 = host->add_address("br0", prefix("fd88::1/64"));
    ASSERT_TRUE(v6) << v6.error().message;
    ASSERT_TRUE(host->add_address("br1", prefix("10.89.0.1/16")));

    auto on_br0 = host->addresses("br0");
    ASSERT_TRUE(on_br0) << on_br0.error().message;
    EXPECT_EQ(*on_br0, (std::vector<IpPrefix>{prefix("10.88.0.1/24"), prefix("fd88::1/64")}));
    EXPECT_EQ(host->addresses("br1").value(), std::vector<IpPrefix>{prefix("10.89.0.1/16")});
    // Loopback gets its addresses from the kernel when it comes up.
    ASSERT_TRUE(host->set_up("lo"));
    auto on_lo = host->addresses("lo").value();
    EXPECT_TRUE(has(on_lo, prefix("127.0.0.1/8")));
    EXPECT_TRUE(has(on_lo, prefix("::1/128")));
}

TEST_F(NetlinkTest, RoutedPrefixesAreAddressesAndRoutesButNotTheDefault) {
    ASSERT_NO_FATAL_FAILURE(connect_peer());
    auto routed = peer->routed_prefixes();
    ASSERT_TRUE(routed) << routed.error().message;
    EXPECT_TRUE(has(*routed, prefix("10.88.0.0/24")));
    EXPECT_TRUE(has(*routed, prefix("fd88::/64")));
    for (const auto& p : *routed) {
        EXPECT_NE(p.len, 0) << p.str() << " is a default route";
        EXPECT_EQ(p, p.network()) << p.str() << " is not in network form";
    }
    EXPECT_FALSE(has(*routed, prefix("10.89.0.0/24")));
    auto host_routed = host->routed_prefixes().value();
    EXPECT_TRUE(has(host_routed, prefix("10.88.0.0/24")));
    EXPECT_TRUE(has(host_routed, prefix("fd88::/64")));
}

// A UDP datagram each way between a socket in `from_ns` and one bound to
// `to`:port in `to_ns`; the source seen by the receiver is returned.
std::string udp_round_trip(int from_ns, int to_ns, const IpAddress& to, std::uint16_t port) {
    int family = to.v6 ? AF_INET6 : AF_INET;
    sockaddr_storage dst{};
    socklen_t dst_len;
    if (to.v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&dst);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        std::memcpy(&a->sin6_addr, to.bytes.data(), 16);
        dst_len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&dst);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        std::memcpy(&a->sin_addr, to.bytes.data(), 4);
        dst_len = sizeof *a;
    }
    auto server = socket_in_netns(to_ns, family, SOCK_DGRAM, 0);
    auto client = socket_in_netns(from_ns, family, SOCK_DGRAM, 0);
    if (!server || !client) return "socket failed";
    if (::bind(server->get(), reinterpret_cast<sockaddr*>(&dst), dst_len) != 0)
        return cat("bind: ", std::strerror(errno));
    // The bridge port may need a moment to forward (link state is propagated
    // asynchronously), so the datagram is sent again until it arrives.
    char buf[64];
    sockaddr_storage src{};
    socklen_t src_len = sizeof src;
    ssize_t got = -1;
    for (int attempt = 0; attempt < 50 && got < 0; ++attempt) {
        if (::sendto(client->get(), "ping", 4, 0, reinterpret_cast<sockaddr*>(&dst), dst_len) != 4)
            return cat("sendto: ", std::strerror(errno));
        pollfd p{server->get(), POLLIN, 0};
        if (::poll(&p, 1, 100) == 1)
            got = ::recvfrom(server->get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&src),
                             &src_len);
    }
    if (got != 4 || std::string_view(buf, 4) != "ping") return "no ping arrived";
    if (::sendto(server->get(), "pong", 4, 0, reinterpret_cast<sockaddr*>(&src), src_len) != 4)
        return cat("reply: ", std::strerror(errno));
    pollfd p{client->get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1 || ::recv(client->get(), buf, sizeof buf, 0) != 4 ||
        std::string_view(buf, 4) != "pong")
        return "no pong arrived";
    char text[INET6_ADDRSTRLEN] = {};
    const void* addr =
        to.v6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&src)->sin6_addr)
              : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&src)->sin_addr);
    ::inet_ntop(family, addr, text, sizeof text);
    return text;
}

TEST_F(NetlinkTest, PeerReachesTheBridgeAndBeyondItsDefaultRoute) {
    ASSERT_NO_FATAL_FAILURE(connect_peer());
    EXPECT_TRUE(link_in(*peer, "eth0").up);
    EXPECT_EQ(peer->addresses("eth0").value().front(), prefix("10.88.0.2/24"));
    // On the subnet.
    EXPECT_EQ(udp_round_trip(peer_ns.get(), host_ns.get(), ip("10.88.0.1"), 5000), "10.88.0.2");
    EXPECT_EQ(udp_round_trip(peer_ns.get(), host_ns.get(), ip("fd88::1"), 5000), "fd88::2");
    // Off the subnet: only the default routes lead there.
    ASSERT_TRUE(host->add_address("br0", prefix("10.99.0.1/32")));
    ASSERT_TRUE(host->add_address("br0", prefix("fd99::1/128")));
    EXPECT_EQ(udp_round_trip(peer_ns.get(), host_ns.get(), ip("10.99.0.1"), 5001), "10.88.0.2");
    EXPECT_EQ(udp_round_trip(peer_ns.get(), host_ns.get(), ip("fd99::1"), 5001), "fd88::2");
}

TEST_F(NetlinkTest, BadLinkNamesAreRefusedBeforeAnyRequest) {
    for (const std::string& bad :
         {std::string("a-name-of-16-chr"), std::string(""), std::string("a/b"), std::string("a b"),
          std::string("a:1"), std::string("..")}) {
        auto r = host->create_bridge(bad, 0);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
        EXPECT_EQ(r.error().message.rfind("invalid link name \"" + bad + "\"", 0), 0u)
            << r.error().message;
        EXPECT_FALSE(host->link(bad));
        EXPECT_FALSE(host->create_veth("vh0", bad, peer_ns.get(), 0));
        EXPECT_FALSE(host->set_up(bad));
    }
    auto longest = host->create_bridge("a-name-of-15-ch", 0);
    EXPECT_TRUE(longest) << longest.error().message;
    EXPECT_EQ(host->create_bridge("x", -1).error().kind, ErrorKind::invalid_argument);
    ASSERT_TRUE(host->create_bridge("br0", 0));
    EXPECT_EQ(host->set_mtu("br0", 0).error().kind, ErrorKind::invalid_argument);
}

TEST_F(NetlinkTest, MissingLinksAreNamedInTheError) {
    auto up = host->set_up("missing0");
    ASSERT_FALSE(up);
    EXPECT_EQ(up.error().sys_errno, ENODEV);
    EXPECT_EQ(up.error().kind, ErrorKind::not_found);
    EXPECT_EQ(up.error().message, "setting link \"missing0\" up: No such device");

    auto addr = host->add_address("missing0", prefix("10.0.0.1/24"));
    ASSERT_FALSE(addr);
    EXPECT_EQ(addr.error().kind, ErrorKind::not_found);
    EXPECT_EQ(addr.error().message,
              "adding address 10.0.0.1/24 to \"missing0\": no link named \"missing0\"");

    ASSERT_TRUE(host->create_bridge("br0", 0));
    ASSERT_TRUE(host->create_veth("vh0", "eth0", peer_ns.get(), 0));
    auto master = host->set_master("vh0", "nobridge");
    ASSERT_FALSE(master);
    EXPECT_EQ(master.error().message,
              "attaching \"vh0\" to bridge \"nobridge\": no link named \"nobridge\"");
    auto port = host->set_master("missing0", "br0");
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().message, "attaching \"missing0\" to bridge \"br0\": No such device");

    EXPECT_EQ(host->set_mtu("missing0", 1500).error().sys_errno, ENODEV);
    EXPECT_EQ(host->set_mac("missing0", MacAddress{}).error().sys_errno, ENODEV);
    EXPECT_EQ(host->set_hairpin("missing0", true).error().sys_errno, ENODEV);
    EXPECT_EQ(host->addresses("missing0").error().kind, ErrorKind::not_found);
    EXPECT_FALSE(host->link("missing0").value());
}

TEST_F(NetlinkTest, KernelRefusalsCarryTheOperation) {
    ASSERT_TRUE(host->create_veth("vh0", "eth0", peer_ns.get(), 0));
    // Not a bridge port: no port options to set.
    auto hairpin = host->set_hairpin("vh0", true);
    ASSERT_FALSE(hairpin);
    EXPECT_EQ(hairpin.error().message.rfind("setting hairpin mode of \"vh0\" to on: ", 0), 0u)
        << hairpin.error().message;
    // No route to the gateway.
    auto route = host->add_default_route(ip("10.1.1.1"));
    ASSERT_FALSE(route);
    EXPECT_EQ(route.error().message.rfind("adding default route via 10.1.1.1: ", 0), 0u)
        << route.error().message;
    EXPECT_NE(route.error().sys_errno, 0);
    // Beyond the veth's maximum.
    auto mtu = host->set_mtu("vh0", 1 << 20);
    ASSERT_FALSE(mtu);
    EXPECT_EQ(mtu.error().message.rfind("setting MTU 1048576 on \"vh0\": ", 0), 0u)
        << mtu.error().message;
}

}  // namespace
}  // namespace berth::network

#include "network/port_reservation.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "in_private_netns.hpp"
#include "test_support.hpp"

namespace berth::network {
namespace {

using test::in_private_netns;

std::string this_process() {
    return "process " + std::to_string(::getpid()) + " \"" + test::read_text("/proc/self/comm") +
           "\"";
}

IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}

// Each test runs in a namespace of its own: its ports cannot clash with the
// host's, and the host's listeners cannot be mistaken for the holder.
TEST(PortReservation, PortZeroPicksAFreePortAndHoldsIt) {
    in_private_netns([] {
        auto r = reserve_port("tcp", std::nullopt, 0);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_TRUE(r->held());
        EXPECT_NE(r->port(), 0);
    });
}

TEST(PortReservation, TcpPortInUseIsAConflictNamingThisProcess) {
    in_private_netns([] {
        auto first = reserve_port("tcp", std::nullopt, 0);
        ASSERT_TRUE(first) << first.error().message;
        auto port = std::to_string(first->port());

        auto again = reserve_port("tcp", std::nullopt, first->port());
        ASSERT_FALSE(again) << "reserved tcp port " << port << " twice";
        EXPECT_EQ(again.error().kind, ErrorKind::conflict);
        EXPECT_EQ(again.error().message, "Bind for 0.0.0.0:" + port +
                                             " failed: port is already allocated (held by " +
                                             this_process() + ")");
        EXPECT_EQ(port_holder("tcp", first->port()), this_process());
    });
}

TEST(PortReservation, UdpPortInUseIsAConflictNamingThisProcess) {
    in_private_netns([] {
        auto first = reserve_port("udp", std::nullopt, 0);
        ASSERT_TRUE(first) << first.error().message;
        auto again = reserve_port("udp", std::nullopt, first->port());
        ASSERT_FALSE(again) << "reserved udp port " << first->port() << " twice";
        EXPECT_EQ(again.error().kind, ErrorKind::conflict);
        EXPECT_NE(again.error().message.find(":" + std::to_string(first->port()) + " failed"),
                  std::string::npos)
            << again.error().message;
        EXPECT_NE(again.error().message.find(this_process()), std::string::npos)
            << again.error().message;
    });
}

TEST(PortReservation, TcpAndUdpOfOnePortAreDifferentPorts) {
    in_private_netns([] {
        auto tcp = reserve_port("tcp", std::nullopt, 0);
        ASSERT_TRUE(tcp) << tcp.error().message;
        auto udp = reserve_port("udp", std::nullopt, tcp->port());
        EXPECT_TRUE(udp) << udp.error().message;
    });
}

TEST(PortReservation, ReleasingFreesThePort) {
    in_private_netns([] {
        std::uint16_t port = 0;
        {
            auto r = reserve_port("tcp", std::nullopt, 0);
            ASSERT_TRUE(r) << r.error().message;
            port = r->port();
        }
        EXPECT_EQ(port_holder("tcp", port), "");
        auto again = reserve_port("tcp", std::nullopt, port);
        EXPECT_TRUE(again) << again.error().message;
    });
}

TEST(PortReservation, Ipv6AnyAddressLeavesIpv4Free) {
    in_private_netns([] {
        auto v6 = reserve_port("tcp", std::nullopt, 0, true);
        ASSERT_TRUE(v6) << v6.error().message;
        auto again6 = reserve_port("tcp", std::nullopt, v6->port(), true);
        ASSERT_FALSE(again6);
        EXPECT_EQ(again6.error().message.rfind(
                      "Bind for [::]:" + std::to_string(v6->port()) + " failed", 0),
                  0u)
            << again6.error().message;
        auto v4 = reserve_port("tcp", std::nullopt, v6->port());
        EXPECT_TRUE(v4) << "IPV6_V6ONLY not set: " << v4.error().message;
    });
}

TEST(PortReservation, SpecificAddressConflictsWithAnyAddress) {
    in_private_netns([] {
        ASSERT_TRUE(test::loopback_up());
        auto local = reserve_port("tcp", ip("127.0.0.1"), 0);
        ASSERT_TRUE(local) << local.error().message;
        auto any = reserve_port("tcp", std::nullopt, local->port());
        ASSERT_FALSE(any);
        EXPECT_EQ(any.error().kind, ErrorKind::conflict);
    });
}

TEST(PortReservation, AddressNotOnTheHostIsTheCallersMistake) {
    in_private_netns([] {
        // Until some address exists the namespace has no local routing table,
        // and the kernel then lets any address be bound.
        ASSERT_TRUE(test::loopback_up());
        auto r = reserve_port("tcp", ip("192.0.2.1"), 8080);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
        EXPECT_NE(r.error().message.find("192.0.2.1:8080"), std::string::npos) << r.error().message;
    });
}

TEST(PortReservation, UnknownProtocolIsRejected) {
    auto r = reserve_port("icmp", std::nullopt, 80);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
}

// A holder found from the kernel's tables, not from the reservation code's
// own bookkeeping: a plain socket bound the usual way.
TEST(PortReservation, HolderOfAForeignListenerIsFound) {
    in_private_netns([] {
        UniqueFd s(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ASSERT_EQ(::listen(s.get(), 1), 0);
        socklen_t len = sizeof a;
        ASSERT_EQ(::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
        EXPECT_EQ(port_holder("tcp", ntohs(a.sin6_port)), this_process());
        EXPECT_EQ(port_holder("udp", ntohs(a.sin6_port)), "");
    });
}

}  // namespace
}  // namespace berth::network

#include "network/ipam.hpp"

#include <gtest/gtest.h>

namespace berth::network {

namespace {

IpAddress A(const char* s) { return *IpAddress::parse(s); }
IpPrefix P(const char* s) { return *IpPrefix::parse(s); }

Network net(const char* subnet, const char* gateway, const char* range = nullptr) {
    Network n;
    n.name = "test";
    IpamPool p;
    p.subnet = P(subnet);
    p.gateway = A(gateway);
    if (range) p.ip_range = P(range);
    n.pools.push_back(p);
    return n;
}

}  // namespace

TEST(Ipam, HandsOutInOrderSkippingTheGatewayAndNeverTwice) {
    AddressPool pool(net("10.0.0.0/24", "10.0.0.1"));
    EXPECT_EQ(pool.allocate(false)->str(), "10.0.0.2");
    EXPECT_EQ(pool.allocate(false)->str(), "10.0.0.3");
    // A released address is not reused at once: allocation continues after the last.
    pool.release(A("10.0.0.2"));
    EXPECT_EQ(pool.allocate(false)->str(), "10.0.0.4");
}

TEST(Ipam, ExhaustionIsAConflictNamingTheNetwork) {
    AddressPool pool(net("10.0.0.0/30", "10.0.0.1"));  // .0 network, .1 gateway, .3 broadcast
    EXPECT_EQ(pool.allocate(false)->str(), "10.0.0.2");
    auto more = pool.allocate(false);
    ASSERT_FALSE(more);
    EXPECT_EQ(more.error().kind, ErrorKind::conflict);
    EXPECT_NE(more.error().message.find("exhausted"), std::string::npos);
    EXPECT_NE(more.error().message.find("test"), std::string::npos);
    pool.release(A("10.0.0.2"));
    EXPECT_EQ(pool.allocate(false)->str(), "10.0.0.2");
}

TEST(Ipam, RangeLimitsAllocationAndReservations) {
    AddressPool pool(net("10.1.0.0/24", "10.1.0.254", "10.1.0.128/25"));
    EXPECT_EQ(pool.allocate(false)->str(), "10.1.0.128");
    EXPECT_TRUE(pool.reserve(A("10.1.0.200")));
    auto again = pool.reserve(A("10.1.0.200"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, ErrorKind::conflict);
    auto outside = pool.reserve(A("10.1.0.5"));  // in the subnet, not the range
    ASSERT_FALSE(outside);
    EXPECT_EQ(outside.error().kind, ErrorKind::invalid_argument);
    EXPECT_FALSE(pool.reserve(A("10.9.0.5")));
    EXPECT_FALSE(pool.reserve(A("10.1.0.254")));  // the gateway
}

TEST(Ipam, Ipv6PoolsAllocateWithoutWalkingTheWholeSubnet) {
    Network n = net("fd00:1::/64", "fd00:1::1");
    AddressPool pool(n);
    EXPECT_TRUE(pool.has_family(true));
    EXPECT_FALSE(pool.has_family(false));
    EXPECT_EQ(pool.allocate(true)->str(), "fd00:1::2");
    auto v4 = pool.allocate(false);
    ASSERT_FALSE(v4);
    EXPECT_EQ(v4.error().kind, ErrorKind::invalid_argument);
}

TEST(Ipam, FreeSubnetSkipsWhatIsTaken) {
    EXPECT_EQ(free_subnet({})->str(), "172.17.0.0/16");
    EXPECT_EQ(free_subnet({P("172.17.0.1/16"), P("172.18.5.0/24")})->str(), "172.19.0.0/16");
    std::vector<IpPrefix> all = {P("172.16.0.0/12"), P("192.168.0.0/16")};
    EXPECT_FALSE(free_subnet(all));
}

}  // namespace berth::network

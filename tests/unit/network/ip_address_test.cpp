#include "network/ip_address.hpp"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

IpAddress ip(std::string_view text) {
    auto a = IpAddress::parse(text);
    EXPECT_TRUE(a) << text << ": " << a.error().message;
    return a.value_or(IpAddress{});
}

IpPrefix prefix(std::string_view text) {
    auto p = IpPrefix::parse(text);
    EXPECT_TRUE(p) << text << ": " << p.error().message;
    return p.value_or(IpPrefix{});
}

TEST(IpAddress, ParsesAndPrintsIpv4) {
    auto a = ip("10.1.2.3");
    EXPECT_FALSE(a.v6);
    EXPECT_EQ(a.bits(), 32);
    EXPECT_EQ(a.size(), 4u);
    EXPECT_EQ(a.bytes[0], 10);
    EXPECT_EQ(a.bytes[3], 3);
    EXPECT_EQ(a.str(), "10.1.2.3");
    EXPECT_EQ(IpAddress::v4(0x0a010203), a);
}

TEST(IpAddress, ParsesAndPrintsIpv6InCanonicalForm) {
    auto a = ip("FD00:0:0::0001");
    EXPECT_TRUE(a.v6);
    EXPECT_EQ(a.bits(), 128);
    EXPECT_EQ(a.bytes[0], 0xfd);
    EXPECT_EQ(a.bytes[15], 1);
    EXPECT_EQ(a.str(), "fd00::1");
    EXPECT_EQ(ip("::ffff:10.0.0.1").str(), "::ffff:10.0.0.1");
    EXPECT_TRUE(ip("::ffff:10.0.0.1").v6);
}

TEST(IpAddress, RejectsMalformedTextNamingIt) {
    for (const char* bad : {"", "10.0.0", "10.0.0.256", "10.0.0.1/24", " 10.0.0.1", "[::1]",
                            "fe80::1%eth0", "x", "1:2:3:4:5:6:7:8:9"}) {
        auto a = IpAddress::parse(bad);
        ASSERT_FALSE(a) << bad;
        EXPECT_EQ(a.error().kind, ErrorKind::invalid_argument);
        EXPECT_EQ(a.error().message, std::string("invalid IP address \"") + bad + "\"");
    }
}

TEST(IpAddress, LoopbackAndUnspecified) {
    EXPECT_TRUE(ip("127.0.0.11").is_loopback());
    EXPECT_TRUE(ip("::1").is_loopback());
    EXPECT_FALSE(ip("10.0.0.1").is_loopback());
    EXPECT_FALSE(ip("::2").is_loopback());
    EXPECT_TRUE(ip("0.0.0.0").is_unspecified());
    EXPECT_TRUE(ip("::").is_unspecified());
    EXPECT_FALSE(ip("0.0.0.1").is_unspecified());
}

TEST(IpAddress, PlusCarriesAcrossBytes) {
    EXPECT_EQ(ip("10.0.0.255").plus(1).str(), "10.0.1.0");
    EXPECT_EQ(ip("10.0.0.0").plus(65536 + 2).str(), "10.1.0.2");
    EXPECT_EQ(ip("10.0.0.7").plus(0).str(), "10.0.0.7");
    EXPECT_EQ(ip("fd00::ffff:ffff:ffff:ffff").plus(1).str(), "fd00:0:0:1::");
    EXPECT_EQ(ip("fd00::").plus(UINT64_MAX).str(), "fd00::ffff:ffff:ffff:ffff");
}

TEST(IpAddress, MinusGivesTheDistanceWhenItFits) {
    EXPECT_EQ(ip("10.0.1.2").minus(ip("10.0.0.0")), 258u);
    EXPECT_EQ(ip("10.0.0.0").minus(ip("10.0.0.0")), 0u);
    EXPECT_EQ(ip("10.0.0.0").minus(ip("10.0.0.1")), std::nullopt);  // below the base
    EXPECT_EQ(ip("fd00::1").minus(ip("10.0.0.0")), std::nullopt);   // other family
    EXPECT_EQ(ip("fd00::1:0:0:5").minus(ip("fd00::")), (std::uint64_t(1) << 48) + 5);
    EXPECT_EQ(ip("fd01::").minus(ip("fd00::")), std::nullopt);  // 2^112 does not fit
    EXPECT_EQ(ip("fd00::").plus(123456789).minus(ip("fd00::")), 123456789u);
}

TEST(IpAddress, OrdersByFamilyThenValue) {
    EXPECT_LT(ip("10.0.0.1"), ip("10.0.0.2"));
    EXPECT_LT(ip("10.0.0.255"), ip("10.0.1.0"));
    EXPECT_LT(ip("255.255.255.255"), ip("::"));
}

TEST(IpAddressPrefix, ParsesKeepingTheInterfaceAddress) {
    auto p = prefix("10.1.2.3/24");
    EXPECT_EQ(p.addr.str(), "10.1.2.3");
    EXPECT_EQ(p.len, 24);
    EXPECT_EQ(p.str(), "10.1.2.3/24");
    EXPECT_EQ(p.network().str(), "10.1.2.0/24");
    EXPECT_EQ(prefix("fd00:1::5/64").network().str(), "fd00:1::/64");
    EXPECT_EQ(prefix("0.0.0.0/0").str(), "0.0.0.0/0");
    EXPECT_EQ(prefix("10.255.255.255/0").network().str(), "0.0.0.0/0");
}

TEST(IpAddressPrefix, BareAddressIsAHostPrefix) {
    EXPECT_EQ(prefix("10.0.0.1").str(), "10.0.0.1/32");
    EXPECT_EQ(prefix("fd00::1").str(), "fd00::1/128");
}

TEST(IpAddressPrefix, RejectsBadLengthsAndAddressesNamingTheText) {
    for (const char* bad :
         {"10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8x",
          "10.0.0.0/ 8", "10.0.0/8", "x/8", "/8", "10.0.0.0/8/8", ""}) {
        auto p = IpPrefix::parse(bad);
        ASSERT_FALSE(p) << bad;
        EXPECT_EQ(p.error().kind, ErrorKind::invalid_argument);
        EXPECT_EQ(p.error().message, std::string("invalid CIDR address \"") + bad + "\"");
    }
}

TEST(IpAddressPrefix, ContainsAddressesOfItsFamilyOnly) {
    auto net = prefix("172.17.0.0/16");
    EXPECT_TRUE(net.contains(ip("172.17.0.0")));
    EXPECT_TRUE(net.contains(ip("172.17.255.255")));
    EXPECT_FALSE(net.contains(ip("172.18.0.0")));
    EXPECT_FALSE(net.contains(ip("::ffff:172.17.0.1")));
    EXPECT_TRUE(prefix("0.0.0.0/0").contains(ip("1.2.3.4")));
    EXPECT_FALSE(prefix("0.0.0.0/0").contains(ip("::1")));
    EXPECT_TRUE(prefix("fd00::/8").contains(ip("fdff:1::1")));
    EXPECT_FALSE(prefix("fd00::/8").contains(ip("fe00::1")));
    // An interface address as a prefix: containment is by its network.
    EXPECT_TRUE(prefix("10.0.0.9/24").contains(ip("10.0.0.200")));
}

TEST(IpAddressPrefix, ContainsNarrowerPrefixesOnly) {
    auto net = prefix("10.0.0.0/8");
    EXPECT_TRUE(net.contains(prefix("10.1.0.0/16")));
    EXPECT_TRUE(net.contains(net));
    EXPECT_FALSE(prefix("10.1.0.0/16").contains(net));
    EXPECT_FALSE(net.contains(prefix("11.0.0.0/16")));
}

TEST(IpAddressPrefix, OverlapsWhenEitherHoldsTheOther) {
    EXPECT_TRUE(prefix("10.0.0.0/8").overlaps(prefix("10.200.0.0/16")));
    EXPECT_TRUE(prefix("10.200.0.0/16").overlaps(prefix("10.0.0.0/8")));
    EXPECT_TRUE(prefix("10.0.0.5/24").overlaps(prefix("10.0.0.0/30")));
    EXPECT_FALSE(prefix("10.0.0.0/24").overlaps(prefix("10.0.1.0/24")));
    EXPECT_FALSE(prefix("172.16.0.0/12").overlaps(prefix("172.32.0.0/12")));
    EXPECT_TRUE(prefix("fd00::/64").overlaps(prefix("fd00::1:2:3:4/80")));
    EXPECT_FALSE(prefix("fd00::/64").overlaps(prefix("fd00:0:0:1::/64")));
    EXPECT_FALSE(prefix("0.0.0.0/0").overlaps(prefix("::/0")));
}

TEST(IpAddressPrefix, SizeSaturatesAt2To63) {
    EXPECT_EQ(prefix("10.0.0.0/24").size(), 256u);
    EXPECT_EQ(prefix("10.0.0.1/32").size(), 1u);
    EXPECT_EQ(prefix("0.0.0.0/0").size(), std::uint64_t(1) << 32);
    EXPECT_EQ(prefix("fd00::/120").size(), 256u);
    EXPECT_EQ(prefix("fd00::/65").size(), std::uint64_t(1) << 63);
    EXPECT_EQ(prefix("fd00::/64").size(), std::uint64_t(1) << 63);
    EXPECT_EQ(prefix("::/0").size(), std::uint64_t(1) << 63);
}

TEST(IpAddressPrefix, LastSetsAllHostBits) {
    EXPECT_EQ(prefix("10.1.2.3/24").last().str(), "10.1.2.255");
    EXPECT_EQ(prefix("172.16.0.0/12").last().str(), "172.31.255.255");
    EXPECT_EQ(prefix("10.0.0.1/32").last().str(), "10.0.0.1");
    EXPECT_EQ(prefix("0.0.0.0/0").last().str(), "255.255.255.255");
    EXPECT_EQ(prefix("fd00::/64").last().str(), "fd00::ffff:ffff:ffff:ffff");
}

TEST(IpAddressPrefix, NthAddressOfASubnet) {
    // What IPAM does: the gateway is the first host, and an address maps back to its offset.
    auto net = prefix("172.18.0.0/16").network();
    auto gateway = net.addr.plus(1);
    EXPECT_EQ(gateway.str(), "172.18.0.1");
    auto a = net.addr.plus(300);
    EXPECT_TRUE(net.contains(a));
    EXPECT_EQ(a.minus(net.addr), 300u);
    EXPECT_FALSE(net.contains(net.last().plus(1)));
}

TEST(IpAddressMac, ParsesAndPrintsLowercase) {
    auto m = MacAddress::parse("02:42:AC:11:00:02");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->bytes, (std::array<std::uint8_t, 6>{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}));
    EXPECT_EQ(m->str(), "02:42:ac:11:00:02");
    auto dashed = MacAddress::parse("02-42-ac-11-00-02");
    ASSERT_TRUE(dashed);
    EXPECT_EQ(*dashed, *m);
}

TEST(IpAddressMac, RejectsMalformedText) {
    for (const char* bad :
         {"", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "02:42:ac:11:00:0g", "02:42-ac:11:00:02",
          "2:42:ac:11:00:02", "02:42:ac:11:00:+2", "02 42 ac 11 00 02"}) {
        auto m = MacAddress::parse(bad);
        ASSERT_FALSE(m) << bad;
        EXPECT_EQ(m.error().kind, ErrorKind::invalid_argument);
        EXPECT_EQ(m.error().message, std::string("invalid MAC address \"") + bad + "\"");
    }
}

TEST(IpAddressMac, FromIpv4FollowsDocker) {
    EXPECT_EQ(MacAddress::from_ipv4(ip("172.17.0.2")).str(), "02:42:ac:11:00:02");
    EXPECT_EQ(MacAddress::from_ipv4(ip("10.255.0.1")).str(), "02:42:0a:ff:00:01");
}

}  // namespace
}  // namespace berth::network

// IPv4 and IPv6 addresses and prefixes as values: parsing and printing in the
// usual text forms, containment, overlap, and the arithmetic IPAM needs (the
// n-th address of a subnet, the next address).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::network {

struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // v4 uses bytes[0..3], network order

    // "10.0.0.1" or "fd00::1" (no brackets, no zone).
    static Result<IpAddress> parse(std::string_view text);
    static IpAddress v4(std::uint32_t host_order);
    std::string str() const;
    int bits() const { return v6 ? 128 : 32; }
    std::size_t size() const { return v6 ? 16 : 4; }
    // The address `n` after this one (wrapping is the caller's problem).
    IpAddress plus(std::uint64_t n) const;
    // This address minus `base`, when both are the same family and the distance fits.
    std::optional<std::uint64_t> minus(const IpAddress& base) const;
    bool is_loopback() const;
    bool is_unspecified() const;  // 0.0.0.0 or ::

    auto operator<=>(const IpAddress&) const = default;
};

struct IpPrefix {
    IpAddress addr;  // as written ("10.1.2.3/24" keeps .3: an interface address)
    int len = 0;

    // "10.0.0.0/16", "fd00::/64"; a bare address is a host prefix (/32, /128).
    static Result<IpPrefix> parse(std::string_view text);
    std::string str() const;
    IpPrefix network() const;  // host bits cleared
    bool contains(const IpAddress& a) const;
    bool contains(const IpPrefix& p) const;
    bool overlaps(const IpPrefix& p) const;
    // Host addresses in the prefix (2^(bits-len)), saturating at 2^63.
    std::uint64_t size() const;
    // The broadcast address of an IPv4 prefix (all host bits set).
    IpAddress last() const;

    auto operator<=>(const IpPrefix&) const = default;
};

// A MAC address "02:42:ac:11:00:02".
struct MacAddress {
    std::array<std::uint8_t, 6> bytes{};
    static Result<MacAddress> parse(std::string_view text);
    // Docker's scheme: 02:42 followed by the IPv4 address, so a MAC is stable
    // for an address and never a multicast one.
    static MacAddress from_ipv4(const IpAddress& a);
    std::string str() const;
    auto operator<=>(const MacAddress&) const = default;
};

}  // namespace berth::network

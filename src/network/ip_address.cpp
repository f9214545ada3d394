#include "network/ip_address.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "base/text.hpp"

namespace berth::network {
namespace {

// The address as one 128-bit number: arithmetic and masks without byte loops.
__extension__ typedef unsigned __int128 Uint128;

Uint128 to_number(const IpAddress& a) {
    Uint128 v = 0;
    for (std::size_t i = 0; i < a.size(); ++i) v = (v << 8) | a.bytes[i];
    return v;
}

IpAddress from_number(bool v6, Uint128 v) {
    IpAddress a;
    a.v6 = v6;
    for (std::size_t i = a.size(); i-- > 0;) {
        a.bytes[i] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 8;
    }
    return a;
}

// The host bits of a prefix of length `len` among `bits`, as a mask.
Uint128 host_mask(int bits, int len) {
    int host_bits = bits - len;
    if (host_bits <= 0) return 0;
    if (host_bits >= 128) return ~Uint128(0);
    return (Uint128(1) << host_bits) - 1;
}

std::unexpected<Error> invalid(std::string_view what, std::string_view text) {
    return fail_as(ErrorKind::invalid_argument, cat("invalid ", what, " ", quoted(text)));
}

}  // namespace

Result<IpAddress> IpAddress::parse(std::string_view text) {
    std::string s(text);  // inet_pton wants a terminated string
    IpAddress a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
    a.v6 = true;
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
    return invalid("IP address", text);
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
    return from_number(false, host_order);
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

IpAddress IpAddress::plus(std::uint64_t n) const {
    return from_number(v6, to_number(*this) + n);
}

std::optional<std::uint64_t> IpAddress::minus(const IpAddress& base) const {
    if (v6 != base.v6) return std::nullopt;
    Uint128 a = to_number(*this), b = to_number(base);
    if (a < b || a - b > Uint128(UINT64_MAX)) return std::nullopt;
    return static_cast<std::uint64_t>(a - b);
}

bool IpAddress::is_loopback() const {
    if (!v6) return bytes[0] == 127;
    return to_number(*this) == 1;
}

bool IpAddress::is_unspecified() const {
    return to_number(*this) == 0;
}

Result<IpPrefix> IpPrefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr) return invalid("CIDR address", text);
    IpPrefix p{*addr, addr->bits()};
    if (slash == std::string_view::npos) return p;
    std::string_view len = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), p.len);
    // from_chars takes no sign or spaces, so "-1", "+8" and " 8" all fail here.
    if (len.empty() || ec != std::errc() || end != len.data() + len.size() || p.len < 0 ||
        p.len > p.addr.bits())
        return invalid("CIDR address", text);
    return p;
}

std::string IpPrefix::str() const {
    return cat(addr.str(), '/', len);
}

IpPrefix IpPrefix::network() const {
    return {from_number(addr.v6, to_number(addr) & ~host_mask(addr.bits(), len)), len};
}

bool IpPrefix::contains(const IpAddress& a) const {
    if (a.v6 != addr.v6) return false;
    Uint128 net_mask = ~host_mask(addr.bits(), len);
    return (to_number(a) & net_mask) == (to_number(addr) & net_mask);
}

bool IpPrefix::contains(const IpPrefix& p) const {
    return p.len >= len && contains(p.addr);
}

bool IpPrefix::overlaps(const IpPrefix& p) const {
    // Two prefixes overlap exactly when the shorter one holds the longer one.
    return contains(p) || p.contains(*this);
}

std::uint64_t IpPrefix::size() const {
    int host_bits = addr.bits() - len;
    if (host_bits >= 63) return std::uint64_t(1) << 63;
    return std::uint64_t(1) << host_bits;
}

IpAddress IpPrefix::last() const {
    return from_number(addr.v6, to_number(addr) | host_mask(addr.bits(), len));
}

Result<MacAddress> MacAddress::parse(std::string_view text) {
    // Six groups of two hex digits joined by ':' (or '-', as Windows prints them).
    MacAddress m;
    if (text.size() != 17) return invalid("MAC address", text);
    char sep = text[2];
    if (sep != ':' && sep != '-') return invalid("MAC address", text);
    for (std::size_t i = 0; i < 6; ++i) {
        std::string_view group = text.substr(i * 3, 2);
        if (i < 5 && text[i * 3 + 2] != sep) return invalid("MAC address", text);
        auto [end, ec] = std::from_chars(group.data(), group.data() + 2, m.bytes[i], 16);
        if (ec != std::errc() || end != group.data() + 2) return invalid("MAC address", text);
    }
    return m;
}

MacAddress MacAddress::from_ipv4(const IpAddress& a) {
    return MacAddress{{0x02, 0x42, a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]}};
}

std::string MacAddress::str() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) out += ':';
        out += kHex[bytes[i] >> 4];
        out += kHex[bytes[i] & 0xf];
    }
    return out;
}

}  // namespace berth::network

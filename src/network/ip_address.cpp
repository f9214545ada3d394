// STAND-IN written on the net-firewall branch so the firewall links while the
// real ip_address.cpp is written elsewhere: only what the firewall and port
// reservations use. On merge, take the other branch's version of this file.
#include "network/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::network {

Result<IpAddress> IpAddress::parse(std::string_view text) {
    std::string s(text);
    IpAddress a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
    a.v6 = true;
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
    return fail_as(ErrorKind::invalid_argument, cat("invalid IP address ", quoted(text)));
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    std::uint32_t n = htonl(host_order);
    std::memcpy(a.bytes.data(), &n, 4);
    return a;
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

bool IpAddress::is_loopback() const {
    if (!v6) return bytes[0] == 127;
    for (std::size_t i = 0; i < 15; ++i)
        if (bytes[i] != 0) return false;
    return bytes[15] == 1;
}

bool IpAddress::is_unspecified() const {
    for (std::size_t i = 0; i < size(); ++i)
        if (bytes[i] != 0) return false;
    return true;
}

Result<IpPrefix> IpPrefix::parse(std::string_view text) {
    auto slash = text.find('/');
    IpPrefix p;
    p.addr = BERTH_TRY(IpAddress::parse(text.substr(0, slash)));
    p.len = p.addr.bits();
    if (slash == std::string_view::npos) return p;
    auto len = parse_int(text.substr(slash + 1));
    if (!len || *len < 0 || *len > p.addr.bits())
        return fail_as(ErrorKind::invalid_argument, cat("invalid IP prefix ", quoted(text)));
    p.len = static_cast<int>(*len);
    return p;
}

std::string IpPrefix::str() const {
    return cat(addr.str(), '/', len);
}

IpPrefix IpPrefix::network() const {
    IpPrefix p = *this;
    for (int i = 0; i < addr.bits(); ++i)
        if (i >= len) p.addr.bytes[i / 8] &= static_cast<std::uint8_t>(~(0x80u >> (i % 8)));
    return p;
}

}  // namespace berth::network

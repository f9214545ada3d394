// The sockets of the embedded DNS server: the listening pair at 127.0.0.11:53
// inside a container's network namespace, and the UDP sockets that carry a
// forwarded query to an upstream resolver from the daemon's own namespace.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

// 127.0.0.11: where a container's resolv.conf points (Docker's address).
IpAddress embedded_dns_address();
inline constexpr std::uint16_t kDnsPort = 53;

struct DnsListenSockets {
    UniqueFd udp;  // bound, non-blocking
    UniqueFd tcp;  // bound and listening, non-blocking
};

// Binds UDP and TCP sockets to 127.0.0.11:53 inside the namespace `netns_fd`
// (on a short-lived thread that joins it); the sockets stay in that namespace
// whichever thread uses them later. Fails when the namespace's `lo` is down.
Result<DnsListenSockets> bind_dns_sockets_in(int netns_fd);

// A non-blocking UDP socket of the calling thread's namespace, connected to
// `server`:`port`, so only that server's datagrams reach it.
Result<UniqueFd> connected_udp_socket(const IpAddress& server, std::uint16_t port);

}  // namespace berth::network

#include "network/dns_sockets.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>

#include <cstring>
#include <string>
#include <thread>

namespace berth::network {
namespace {

// Enough for the queries that queue while the server thread is busy.
constexpr int kListenBacklog = 64;

socklen_t to_sockaddr(const IpAddress& a, std::uint16_t port, sockaddr_storage& out) {
    std::memset(&out, 0, sizeof out);
    if (a.v6) {
        auto* s = reinterpret_cast<sockaddr_in6*>(&out);
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(port);
        std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
        return sizeof *s;
    }
    auto* s = reinterpret_cast<sockaddr_in*>(&out);
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    std::memcpy(&s->sin_addr, a.bytes.data(), 4);
    return sizeof *s;
}

Result<UniqueFd> bound_socket(int type, const char* what) {
    UniqueFd fd(::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return sys_fail(std::string("creating the ") + what + " socket for 127.0.0.11:53");
    if (type == SOCK_STREAM) {
        // Connections the server closed linger in TIME_WAIT on 127.0.0.11:53; a
        // re-registration of the same namespace must still be able to bind.
        int on = 1;
        if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
            return sys_fail("setting SO_REUSEADDR on the TCP socket for 127.0.0.11:53");
    }
    sockaddr_storage addr;
    socklen_t len = to_sockaddr(embedded_dns_address(), kDnsPort, addr);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
        return sys_fail(std::string("binding 127.0.0.11:53") + (type == SOCK_STREAM ? "/tcp" : "") +
                        " in the container's network namespace");
    return fd;
}

// Recent kernels let a socket bind 127.0.0.11 even while lo is down, but nothing
// can reach it then: say so instead of serving an address nobody can ask.
Result<void> require_lo_up(int any_socket) {
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    if (::ioctl(any_socket, SIOCGIFFLAGS, &ifr) != 0)
        return sys_fail("reading the flags of lo in the container's network namespace");
    if (!(ifr.ifr_flags & IFF_UP))
        return fail(
            "serving 127.0.0.11:53 in the container's network namespace: its loopback interface lo "
            "is down");
    return {};
}

Result<DnsListenSockets> bind_here(int netns_fd) {
    if (::setns(netns_fd, CLONE_NEWNET) != 0)
        return sys_fail("joining the container's network namespace");
    DnsListenSockets s;
    s.udp = BERTH_TRY(bound_socket(SOCK_DGRAM, "UDP"));
    BERTH_TRYV(require_lo_up(s.udp.get()));
    s.tcp = BERTH_TRY(bound_socket(SOCK_STREAM, "TCP"));
    if (::listen(s.tcp.get(), kListenBacklog) != 0)
        return sys_fail("listening on 127.0.0.11:53/tcp in the container's network namespace");
    return s;
}

}  // namespace

IpAddress embedded_dns_address() {
    IpAddress a;
    a.bytes[0] = 127;
    a.bytes[3] = 11;
    return a;
}

Result<DnsListenSockets> bind_dns_sockets_in(int netns_fd) {
    // setns moves only the calling thread: a thread of its own, gone afterwards,
    // keeps the caller in the daemon's namespace.
    Result<DnsListenSockets> result = fail("not run");
    std::thread([&] { result = bind_here(netns_fd); }).join();
    return result;
}

Result<UniqueFd> connected_udp_socket(const IpAddress& server, std::uint16_t port) {
    UniqueFd fd(
        ::socket(server.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return sys_fail("creating a UDP socket for upstream DNS server " + server.str());
    sockaddr_storage addr;
    socklen_t len = to_sockaddr(server, port, addr);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
        return sys_fail("connecting to upstream DNS server " + server.str());
    return fd;
}

}  // namespace berth::network

// DNS over TCP (RFC 7766): accepted connections carry 2-byte length-prefixed
// messages both ways; idle ones are closed after a few seconds and their number
// is capped, so clients that never finish can't pile up.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/log.hpp"
#include "base/text.hpp"
#include "network/dns_server_impl.hpp"

namespace berth::network {

using namespace dns_detail;

namespace {

constexpr auto kTcpIdleTimeout = std::chrono::seconds(5);
constexpr std::size_t kMaxTcpConnections = 256;
// A client that stops reading its answers loses its connection past this.
constexpr std::size_t kMaxTcpPendingOutput = 256 * 1024;

}  // namespace

void DnsServer::Impl::accept_connections(const std::string& id) {
    for (int i = 0; i < kBatch; ++i) {
        auto reg = registrations.find(id);
        if (reg == registrations.end()) return;
        UniqueFd fd(
            ::accept4(reg->second.tcp.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == ECONNABORTED || errno == EINTR) continue;
            if (errno != EAGAIN)
                log::warn(cat("embedded DNS server: accepting on 127.0.0.11:53 of container ", id,
                              ": ", std::strerror(errno)));
            return;
        }
        if (connections.size() >= kMaxTcpConnections)
            continue;  // closed at once: the client retries later
        std::uint64_t token = watch(fd.get(), EPOLLIN, {SourceKind::tcp_connection, id});
        if (!token) continue;
        Connection c;
        c.container_id = id;
        c.fd = std::move(fd);
        c.idle_deadline = Clock::now() + kTcpIdleTimeout;
        connections.emplace(token, std::move(c));
    }
}

void DnsServer::Impl::serve_connection(std::uint64_t token, std::uint32_t events) {
    // Reset, or shut both ways: no answer can reach the client any more.
    if (events & (EPOLLERR | EPOLLHUP)) {
        close_connection(token);
        return;
    }
    if (events & EPOLLOUT) flush(token);
    if (events & EPOLLIN) read_connection(token);
    if (connections.contains(token)) settle(token);
}

void DnsServer::Impl::read_connection(std::uint64_t token) {
    for (int i = 0; i < kBatch; ++i) {
        auto it = connections.find(token);
        if (it == connections.end() || it->second.read_closed) return;
        Connection& c = it->second;
        ssize_t n = ::read(c.fd.get(), buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            close_connection(token);
            return;
        }
        if (n == 0) {
            c.read_closed = true;
            return;
        }
        c.in.insert(c.in.end(), buffer.begin(), buffer.begin() + n);
        c.idle_deadline = Clock::now() + kTcpIdleTimeout;
        handle_frames(token);
    }
}

// Handles every complete length-prefixed message (RFC 1035 section 4.2.2); the
// answers may go out in any order (RFC 7766 section 7), matched by their IDs.
void DnsServer::Impl::handle_frames(std::uint64_t token) {
    for (;;) {
        auto it = connections.find(token);  // an answer that failed to send closes it
        if (it == connections.end()) return;
        auto& in = it->second.in;
        if (in.size() < 2) return;
        std::size_t length = std::size_t{in[0]} << 8 | in[1];
        if (in.size() < 2 + length) return;
        std::vector<std::uint8_t> message(in.begin() + 2,
                                          in.begin() + 2 + static_cast<std::ptrdiff_t>(length));
        in.erase(in.begin(), in.begin() + 2 + static_cast<std::ptrdiff_t>(length));
        Client client;
        client.connection = token;
        handle_query(it->second.container_id, client, message);
    }
}

void DnsServer::Impl::send_on_connection(std::uint64_t token, std::span<const std::uint8_t> reply) {
    auto it = connections.find(token);
    if (it == connections.end()) return;
    auto& out = it->second.out;
    if (out.size() > kMaxTcpPendingOutput) {
        close_connection(token);
        return;
    }
    out.push_back(static_cast<std::uint8_t>(reply.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(reply.size()));
    out.insert(out.end(), reply.begin(), reply.end());
    flush(token);
}

void DnsServer::Impl::flush(std::uint64_t token) {
    auto it = connections.find(token);
    if (it == connections.end()) return;
    Connection& c = it->second;
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            close_connection(token);
            return;
        }
        c.out.erase(c.out.begin(), c.out.begin() + n);
        c.idle_deadline = Clock::now() + kTcpIdleTimeout;
    }
}

// Closes a connection that has nothing left to do, or watches what it waits for:
// input until the client's FIN, output while answers are queued.
void DnsServer::Impl::settle(std::uint64_t token) {
    auto it = connections.find(token);
    if (it == connections.end()) return;
    Connection& c = it->second;
    if (c.read_closed && c.forwarding == 0 && c.out.empty()) {
        close_connection(token);
        return;
    }
    std::uint32_t want = (c.read_closed ? 0u : std::uint32_t{EPOLLIN}) |
                         (c.out.empty() ? 0u : std::uint32_t{EPOLLOUT});
    if (want == c.watched) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = token;
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_MOD, c.fd.get(), &ev) != 0) {
        close_connection(token);
        return;
    }
    c.watched = want;
}

void DnsServer::Impl::close_connection(std::uint64_t token) {
    auto it = connections.find(token);
    if (it == connections.end()) return;
    unwatch(token, it->second.fd.get());
    connections.erase(it);
}

}  // namespace berth::network

// Answering a query: from the daemon's names through the lookup callback, or by
// forwarding it over UDP from the daemon's namespace to the container's upstream
// resolvers, one socket per query (a random source port and a random ID, so a
// spoofed answer has to guess both), the next resolver asked after 1.5 s of
// silence. A query that came over TCP is forwarded over UDP too: a truncated
// (TC) upstream answer is passed on as it is, and the client learns the answer
// did not fit; the names containers look up this way are rarely that large.
#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "base/log.hpp"
#include "base/text.hpp"
#include "network/dns_server_impl.hpp"
#include "network/dns_sockets.hpp"

namespace berth::network {

using namespace dns_detail;

namespace {

// How long an upstream has to answer before the next one is asked (glibc's
// resolver waits 5 s per server by default; ours asks on behalf of such a
// client, so it has to fail over well within that).
constexpr auto kUpstreamTimeout = std::chrono::milliseconds(1500);
constexpr std::size_t kMaxForwards = 1024;
constexpr std::size_t kMaxRotatedNames = 4096;

std::uint16_t random_query_id() {
    std::uint16_t id;
    if (::getrandom(&id, sizeof id, 0) == static_cast<ssize_t>(sizeof id)) return id;
    static std::mt19937 fallback{std::random_device{}()};
    return static_cast<std::uint16_t>(fallback());
}

}  // namespace

void DnsServer::Impl::serve_udp(const std::string& id) {
    for (int i = 0; i < kBatch; ++i) {
        auto reg = registrations.find(id);
        if (reg == registrations.end()) return;
        Client client;
        client.addr_len = sizeof client.addr;
        ssize_t n = ::recvfrom(reg->second.udp.get(), buffer.data(), buffer.size(), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&client.addr), &client.addr_len);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                log::warn(cat("embedded DNS server: receiving on 127.0.0.11:53 of container ", id,
                              ": ", std::strerror(errno)));
            return;
        }
        std::vector<std::uint8_t> packet(buffer.begin(), buffer.begin() + n);
        handle_query(id, client, packet);
    }
}

void DnsServer::Impl::handle_query(const std::string& id, const Client& client,
                                   std::span<const std::uint8_t> packet) {
    auto query = parse_dns_query(packet);
    if (!query) {
        if (log::enabled(log::Level::debug))
            log::debug(cat("embedded DNS server: bad query from container ", id, ": ",
                           query.error().message));
        auto reply = build_dns_format_error(packet);
        if (!reply.empty()) respond(id, client, reply);
        return;
    }
    std::size_t limit = client.connection ? kMaxTcpMessage : query->udp_limit();
    if (query->opcode() != 0) {
        respond(id, client,
                build_dns_response(*query, DnsRcode::not_implemented, {}, false, limit));
        return;
    }
    bool ours =
        query->qclass == kDnsClassIn &&
        (query->type == kDnsTypeA || query->type == kDnsTypeAaaa || query->type == kDnsTypePtr);
    if (ours) {
        auto found = lookup(id, query->name, static_cast<DnsType>(query->type));
        if (found.found) {
            // Known but without an address of the asked family: NOERROR and no
            // answer (Docker's behaviour), so the client does not fall back to
            // search domains as it would after NXDOMAIN.
            respond(id, client,
                    build_dns_response(*query, DnsRcode::no_error, answers_for(*query, found), true,
                                       limit));
            return;
        }
    }
    forward(id, client, std::move(*query), packet);
}

std::vector<DnsRecord> DnsServer::Impl::answers_for(const DnsQuery& q,
                                                    const DnsLookupResult& found) {
    std::vector<DnsRecord> answers;
    if (q.type == kDnsTypePtr) {
        for (const auto& name : found.names) {
            auto record = dns_ptr_record(name);
            if (record) answers.push_back(std::move(*record));
        }
    } else {
        bool want_v6 = q.type == kDnsTypeAaaa;
        for (const auto& a : found.addresses)
            if (a.v6 == want_v6) answers.push_back(dns_address_record(a));
    }
    if (answers.size() > 1) {
        // Round robin: containers sharing an alias take turns as the first answer,
        // which is the one most clients use.
        if (rotation.size() >= kMaxRotatedNames && !rotation.contains(q.name)) rotation.clear();
        std::uint32_t turn = rotation[q.name]++;
        std::rotate(answers.begin(),
                    answers.begin() + static_cast<std::ptrdiff_t>(turn % answers.size()),
                    answers.end());
    }
    return answers;
}

void DnsServer::Impl::respond(const std::string& id, const Client& client,
                              std::span<const std::uint8_t> reply) {
    if (client.connection) {
        send_on_connection(client.connection, reply);
        return;
    }
    auto reg = registrations.find(id);
    if (reg == registrations.end()) return;
    // UDP: a datagram the socket can't take now is lost, as it could be on the wire.
    if (::sendto(reg->second.udp.get(), reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&client.addr), client.addr_len) < 0 &&
        log::enabled(log::Level::debug))
        log::debug(
            cat("embedded DNS server: answering container ", id, ": ", std::strerror(errno)));
}

// ---- forwarding ----

void DnsServer::Impl::forward(const std::string& id, const Client& client, DnsQuery query,
                              std::span<const std::uint8_t> packet) {
    auto reg = registrations.find(id);
    if (reg == registrations.end()) return;
    std::size_t limit = client.connection ? kMaxTcpMessage : query.udp_limit();
    if (reg->second.upstream.empty() || forwards.size() >= kMaxForwards) {
        respond(id, client, build_dns_response(query, DnsRcode::server_failure, {}, false, limit));
        return;
    }
    Forward f;
    f.container_id = id;
    f.client = client;
    f.query = std::move(query);
    f.packet.assign(packet.begin(), packet.end());
    f.upstreams = reg->second.upstream;
    if (client.connection) {
        auto c = connections.find(client.connection);
        if (c == connections.end()) return;
        c->second.forwarding++;
    }
    send_to_next_upstream(std::move(f));
}

void DnsServer::Impl::send_to_next_upstream(Forward f) {
    while (f.next_upstream < f.upstreams.size()) {
        const IpAddress& server = f.upstreams[f.next_upstream++];
        auto socket = connected_udp_socket(server, kDnsPort);
        if (!socket) {
            log::debug(cat("embedded DNS server: ", socket.error().message));
            continue;
        }
        f.upstream_id = random_query_id();
        set_dns_id(f.packet, f.upstream_id);
        if (::send(socket->get(), f.packet.data(), f.packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL) <
            0) {
            log::debug(cat("embedded DNS server: sending to upstream ", server.str(), ": ",
                           std::strerror(errno)));
            continue;
        }
        std::uint64_t token = watch(socket->get(), EPOLLIN, {SourceKind::upstream, f.container_id});
        if (!token) {
            log::warn(
                cat("embedded DNS server: watching an upstream socket: ", std::strerror(errno)));
            continue;
        }
        f.socket = std::move(*socket);
        f.deadline = Clock::now() + kUpstreamTimeout;
        forwards.emplace(token, std::move(f));
        return;
    }
    std::size_t limit = f.client.connection ? kMaxTcpMessage : f.query.udp_limit();
    finish_forward(f, build_dns_response(f.query, DnsRcode::server_failure, {}, false, limit));
}

void DnsServer::Impl::receive_upstream(std::uint64_t token) {
    auto it = forwards.find(token);
    if (it == forwards.end()) return;
    for (int i = 0; i < kBatch; ++i) {
        ssize_t n = ::recv(it->second.socket.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            // ECONNREFUSED (nothing listens there) and the like: no point waiting.
            send_to_next_upstream(take_forward(token));
            return;
        }
        std::span<std::uint8_t> reply(buffer.data(), static_cast<std::size_t>(n));
        if (!is_dns_response(reply) || dns_id(reply) != it->second.upstream_id)
            continue;  // stray or spoofed
        set_dns_id(reply, it->second.query.id);
        finish_forward(take_forward(token), reply);
        return;
    }
}

DnsServer::Impl::Forward DnsServer::Impl::take_forward(std::uint64_t token) {
    auto node = forwards.extract(token);
    unwatch(token, node.mapped().socket.get());
    node.mapped().socket.reset();
    return std::move(node.mapped());
}

void DnsServer::Impl::finish_forward(const Forward& f, std::span<const std::uint8_t> reply) {
    if (f.client.connection) {
        auto c = connections.find(f.client.connection);
        if (c == connections.end()) return;
        c->second.forwarding--;
    }
    respond(f.container_id, f.client, reply);
    if (f.client.connection) settle(f.client.connection);
}

}  // namespace berth::network

// The embedded DNS server's state, shared by the files that implement it:
// dns_server.cpp (commands, the event loop, timers), dns_server_queries.cpp
// (answering and forwarding) and dns_server_tcp.cpp (TCP connections).
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "network/dns_message.hpp"
#include "network/dns_server.hpp"

namespace berth::network {
namespace dns_detail {

using Clock = std::chrono::steady_clock;

// The largest DNS message over TCP (a 2-byte length prefix).
inline constexpr std::size_t kMaxTcpMessage = 65535;
// Datagrams or connections taken from one socket per event, so one busy
// container can't starve the others.
inline constexpr int kBatch = 32;

inline constexpr std::uint64_t kWakeToken = 1;
inline constexpr std::uint64_t kTimerToken = 2;
inline constexpr std::uint64_t kFirstToken = 3;

enum class SourceKind { udp, tcp_listener, tcp_connection, upstream };

// What a token of the epoll set stands for.
struct Source {
    SourceKind kind = SourceKind::udp;
    std::string container_id;
};

// Where an answer goes: a UDP client's address, or a TCP connection.
struct Client {
    std::uint64_t connection = 0;  // token of the TCP connection; 0 for UDP
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
};

}  // namespace dns_detail

struct DnsServer::Impl {
    struct Registration {
        UniqueFd udp;
        UniqueFd tcp;
        std::uint64_t udp_token = 0;
        std::uint64_t tcp_token = 0;
        std::vector<IpAddress> upstream;  // 127.0.0.11 removed; empty: none usable
    };
    struct Connection {
        std::string container_id;
        UniqueFd fd;
        std::vector<std::uint8_t> in;   // bytes of a message still arriving
        std::vector<std::uint8_t> out;  // framed answers the socket did not take yet
        dns_detail::Clock::time_point idle_deadline;
        int forwarding = 0;        // its queries waiting for an upstream
        bool read_closed = false;  // the client sent FIN; kept for forwarded answers
        std::uint32_t watched = EPOLLIN;
    };
    struct Forward {
        std::string container_id;
        dns_detail::Client client;
        DnsQuery query;                    // for the SERVFAIL when every upstream fails
        std::vector<std::uint8_t> packet;  // the client's query, ID replaced
        std::vector<IpAddress> upstreams;
        std::size_t next_upstream = 0;
        UniqueFd socket;
        std::uint16_t upstream_id = 0;
        dns_detail::Clock::time_point deadline;
    };
    struct Command {
        bool add = false;
        std::string id;
        int netns_fd = -1;
        std::vector<IpAddress> upstream;
        std::promise<Result<void>> done;
    };

    DnsLookup lookup;
    std::vector<IpAddress> host_upstream;
    UniqueFd epoll;
    UniqueFd wake;
    UniqueFd timer;

    // Shared with the threads calling add() and remove().
    std::mutex mu;
    std::deque<Command> commands;
    bool stopping = false;
    std::thread thread;

    // The server thread's own.
    std::uint64_t next_token = dns_detail::kFirstToken;
    std::unordered_map<std::uint64_t, dns_detail::Source> sources;
    std::unordered_map<std::string, Registration> registrations;
    std::unordered_map<std::uint64_t, Connection> connections;
    std::unordered_map<std::uint64_t, Forward> forwards;
    std::unordered_map<std::string, std::uint32_t> rotation;  // name -> answers handed out
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(65536);
    std::optional<dns_detail::Clock::time_point> armed;

    Result<void> init();
    Result<void> submit(Command command);
    void signal_wake();
    void run();
    void dispatch(std::uint64_t token, std::uint32_t events);
    bool apply_commands();
    Result<void> apply_add(const std::string& id, int netns_fd, std::vector<IpAddress> upstream);
    void unregister(const std::string& id);
    std::uint64_t watch(int fd, std::uint32_t events, dns_detail::Source source);
    void unwatch(std::uint64_t token, int fd);

    void serve_udp(const std::string& id);
    void handle_query(const std::string& id, const dns_detail::Client& client,
                      std::span<const std::uint8_t> packet);
    std::vector<DnsRecord> answers_for(const DnsQuery& q, const DnsLookupResult& found);
    void respond(const std::string& id, const dns_detail::Client& client,
                 std::span<const std::uint8_t> reply);

    void forward(const std::string& id, const dns_detail::Client& client, DnsQuery query,
                 std::span<const std::uint8_t> packet);
    void send_to_next_upstream(Forward f);
    void receive_upstream(std::uint64_t token);
    Forward take_forward(std::uint64_t token);
    void finish_forward(const Forward& f, std::span<const std::uint8_t> reply);

    void accept_connections(const std::string& id);
    void serve_connection(std::uint64_t token, std::uint32_t events);
    void read_connection(std::uint64_t token);
    void handle_frames(std::uint64_t token);
    void send_on_connection(std::uint64_t token, std::span<const std::uint8_t> reply);
    void flush(std::uint64_t token);
    void settle(std::uint64_t token);
    void close_connection(std::uint64_t token);

    void expire(dns_detail::Clock::time_point now);
    void arm_timer();
};

}  // namespace berth::network

// The embedded DNS server against real sockets in private network namespaces:
// a "daemon" namespace where the server thread runs (its forwarding sockets and
// a fake upstream resolver live there) and "container" namespaces where clients
// ask 127.0.0.11:53. The test process's own namespace is never configured.
#include "network/dns_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "network/dns_test_support.hpp"

namespace berth::network {
namespace {

using test::Bytes;
using test::dns_query;
using test::read_response;
using Clock = std::chrono::steady_clock;

constexpr std::uint16_t kTypeMx = 15;

IpAddress ip(const char* text) {
    IpAddress a;
    if (::inet_pton(AF_INET, text, a.bytes.data()) != 1) {
        a.v6 = true;
        EXPECT_EQ(::inet_pton(AF_INET6, text, a.bytes.data()), 1) << text;
    }
    return a;
}

sockaddr_in v4_addr(const char* text, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, text, &a.sin_addr);
    return a;
}

// A new network namespace (its `lo` up when asked), as an fd; it vanishes with
// the last fd or socket that refers to it.
UniqueFd private_netns(bool lo_up = true) {
    UniqueFd ns;
    std::thread([&] {
        if (::unshare(CLONE_NEWNET) != 0) {
            ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
            return;
        }
        if (lo_up) {
            UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
            ifreq ifr{};
            std::strcpy(ifr.ifr_name, "lo");
            if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0)
                ADD_FAILURE() << "SIOCGIFFLAGS lo: " << std::strerror(errno);
            ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
            if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0)
                ADD_FAILURE() << "SIOCSIFFLAGS lo: " << std::strerror(errno);
        }
        ns.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    }).join();
    EXPECT_TRUE(ns.valid());
    return ns;
}

// Runs `fn` on a thread inside the namespace and returns what it returns.
template <typename F>
auto in_netns(int netns_fd, F fn) -> decltype(fn()) {
    decltype(fn()) result{};
    std::thread([&] {
        if (::setns(netns_fd, CLONE_NEWNET) != 0) {
            ADD_FAILURE() << "setns: " << std::strerror(errno);
            return;
        }
        result = fn();
    }).join();
    return result;
}

UniqueFd udp_socket(int netns_fd, const char* bind_to = nullptr, std::uint16_t port = 0) {
    return in_netns(netns_fd, [&] {
        UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (bind_to) {
            auto a = v4_addr(bind_to, port);
            if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
                ADD_FAILURE() << "bind " << bind_to << ":" << port << ": " << std::strerror(errno);
                return UniqueFd();
            }
        }
        return s;
    });
}

std::optional<Bytes> receive(int fd, int timeout_ms, sockaddr_storage* from = nullptr,
                             socklen_t* from_len = nullptr) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    Bytes buf(65536);
    socklen_t len = sizeof(sockaddr_storage);
    sockaddr_storage addr{};
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&addr), &len);
    if (n < 0) return std::nullopt;
    if (from) *from = addr;
    if (from_len) *from_len = len;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

// Sends a query to 127.0.0.11:53 and waits for the answer.
std::optional<Bytes> ask(int client, const Bytes& query, int timeout_ms = 3000) {
    auto to = v4_addr("127.0.0.11", 53);
    if (::sendto(client, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to) < 0) {
        ADD_FAILURE() << "sendto 127.0.0.11:53: " << std::strerror(errno);
        return std::nullopt;
    }
    return receive(client, timeout_ms);
}

// A fake upstream resolver: takes one query and answers it with an A record.
struct FakeUpstream {
    UniqueFd socket;
    Bytes last_query;

    bool answer_one(const Bytes& address, int timeout_ms = 3000) {
        sockaddr_storage from{};
        socklen_t len = 0;
        auto q = receive(socket.get(), timeout_ms, &from, &len);
        if (!q) return false;
        last_query = *q;
        Bytes reply(q->begin(), q->begin() + static_cast<long>(test::skip_name(*q, 12) + 4));
        reply[2] = 0x81;  // QR, RD
        reply[3] = 0x80;  // RA
        reply[7] = 1;     // one answer
        reply[11] = 0;    // no additional records
        for (std::uint8_t b : {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4}) reply.push_back(b);
        reply.insert(reply.end(), address.begin(), address.end());
        return ::sendto(socket.get(), reply.data(), reply.size(), 0,
                        reinterpret_cast<sockaddr*>(&from), len) > 0;
    }
};

std::string question_name(const Bytes& packet) {
    std::string name;
    for (std::size_t at = 12; packet.at(at) != 0; at += 1 + packet[at]) {
        if (!name.empty()) name += '.';
        name.append(packet.begin() + static_cast<long>(at) + 1,
                    packet.begin() + static_cast<long>(at) + 1 + packet[at]);
    }
    return name;
}

class DnsServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        daemon_ns_ = private_netns();
        container_ns_ = private_netns();
        client_ = udp_socket(container_ns_.get());
    }

    // Starts the server on a thread of the daemon namespace; its thread stays there.
    void start(std::vector<IpAddress> host_upstream = {}) {
        auto lookup = [this](const std::string& id, const std::string& name, DnsType type) {
            std::lock_guard lock(mu_);
            asked_.push_back(id + " " + name);
            auto it = names_.find(name);
            if (it == names_.end()) return DnsLookupResult{};
            bool reverse_entry = !it->second.names.empty();
            if ((type == DnsType::PTR) != reverse_entry) return DnsLookupResult{};
            return it->second;
        };
        auto started = in_netns(daemon_ns_.get(),
                                [&] { return DnsServer::start(lookup, std::move(host_upstream)); });
        ASSERT_TRUE(started) << started.error().message;
        server_ = std::move(*started);
    }

    void add_container(const std::string& id, int netns, std::vector<IpAddress> upstream = {}) {
        auto r = server_->add(id, netns, std::move(upstream));
        ASSERT_TRUE(r) << r.error().message;
    }

    FakeUpstream fake_upstream(const char* address) {
        return FakeUpstream{udp_socket(daemon_ns_.get(), address, 53), {}};
    }

    void know(const std::string& name, std::vector<IpAddress> addresses,
              std::vector<std::string> names = {}) {
        std::lock_guard lock(mu_);
        names_[name] = DnsLookupResult{std::move(addresses), std::move(names), true};
    }

    std::vector<std::string> asked() {
        std::lock_guard lock(mu_);
        return asked_;
    }

    std::mutex mu_;
    std::map<std::string, DnsLookupResult> names_;
    std::vector<std::string> asked_;
    UniqueFd daemon_ns_;
    UniqueFd container_ns_;
    UniqueFd client_;
    std::unique_ptr<DnsServer> server_;  // last: stops before what its lookup uses goes
};

TEST_F(DnsServerTest, KnownNameGetsItsAddress) {
    start();
    add_container("c1", container_ns_.get());
    know("web", {ip("172.18.0.2"), ip("fd00::2")});
    auto reply = ask(client_.get(), dns_query(0x1111, "WEB", test::kTypeA));
    ASSERT_TRUE(reply) << "no answer from 127.0.0.11:53";
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 0x1111);
    EXPECT_EQ(r->rcode(), 0);
    EXPECT_TRUE(r->aa());
    ASSERT_EQ(r->answers.size(), 1u) << "only the IPv4 address answers an A question";
    EXPECT_EQ(r->answers[0].rdata, (Bytes{172, 18, 0, 2}));
    EXPECT_EQ(r->answers[0].ttl, 600u);
    EXPECT_EQ(asked(), std::vector<std::string>{"c1 web"})
        << "asked under the container's id, name in lower case";

    auto v6 = read_response(*ask(client_.get(), dns_query(0x2222, "web", test::kTypeAaaa)));
    ASSERT_TRUE(v6);
    ASSERT_EQ(v6->answers.size(), 1u);
    EXPECT_EQ(v6->answers[0].type, test::kTypeAaaa);
    auto expected = ip("fd00::2").bytes;
    EXPECT_EQ(v6->answers[0].rdata, Bytes(expected.begin(), expected.end()));
}

TEST_F(DnsServerTest, KnownNameWithoutAnAddressOfTheFamilyGetsAnEmptyAnswer) {
    start();
    add_container("c1", container_ns_.get());
    know("web", {ip("172.18.0.2")});
    auto reply = ask(client_.get(), dns_query(3, "web", test::kTypeAaaa));
    ASSERT_TRUE(reply);
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rcode(), 0) << "NOERROR, not NXDOMAIN, as Docker answers";
    EXPECT_TRUE(r->answers.empty());
}

TEST_F(DnsServerTest, AnswersToAnAliasTakeTurnsFirst) {
    start();
    add_container("c1", container_ns_.get());
    know("db", {ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.4")});
    std::set<std::uint32_t> firsts;
    for (std::uint16_t i = 0; i < 3; ++i) {
        auto reply = ask(client_.get(), dns_query(i, "db", test::kTypeA));
        ASSERT_TRUE(reply);
        auto r = read_response(*reply);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->answers.size(), 3u) << "every address, in turn order";
        const Bytes& first = r->answers[0].rdata;
        ASSERT_EQ(first.size(), 4u);
        firsts.insert(std::uint32_t{first[0]} << 24 | first[1] << 16 | first[2] << 8 | first[3]);
    }
    EXPECT_EQ(firsts.size(), 3u) << "each address came first once in three answers";
}

TEST_F(DnsServerTest, PtrQuestionGetsTheName) {
    start();
    add_container("c1", container_ns_.get());
    know("2.0.18.172.in-addr.arpa", {}, {"web.mynet"});
    auto reply = ask(client_.get(), dns_query(4, "2.0.18.172.in-addr.arpa", test::kTypePtr));
    ASSERT_TRUE(reply);
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->answers.size(), 1u);
    EXPECT_EQ(r->answers[0].type, test::kTypePtr);
    EXPECT_EQ(r->answers[0].rdata, test::wire_name("web.mynet"));
}

TEST_F(DnsServerTest, UnknownNameIsForwardedAndTheIdRestored) {
    start({ip("127.0.0.1")});
    auto upstream = fake_upstream("127.0.0.1");
    add_container("c1", container_ns_.get());
    auto to = v4_addr("127.0.0.11", 53);
    Bytes query = dns_query(0x5151, "example.com", test::kTypeA);
    ASSERT_GT(::sendto(client_.get(), query.data(), query.size(), 0,
                       reinterpret_cast<sockaddr*>(&to), sizeof to),
              0);
    ASSERT_TRUE(upstream.answer_one({93, 184, 216, 34})) << "the query never reached the upstream";
    EXPECT_EQ(question_name(upstream.last_query), "example.com");
    EXPECT_EQ(Bytes(upstream.last_query.begin() + 2, upstream.last_query.end()),
              Bytes(query.begin() + 2, query.end()))
        << "forwarded as it was asked, but for the ID";
    auto reply = receive(client_.get(), 3000);
    ASSERT_TRUE(reply);
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 0x5151) << "the client's ID is restored";
    ASSERT_EQ(r->answers.size(), 1u);
    EXPECT_EQ(r->answers[0].rdata, (Bytes{93, 184, 216, 34}));
    EXPECT_EQ(r->answers[0].ttl, 60u) << "the upstream's answer, passed on";
}

TEST_F(DnsServerTest, OtherQuestionTypesAreForwarded) {
    start({ip("127.0.0.1")});
    auto upstream = fake_upstream("127.0.0.1");
    add_container("c1", container_ns_.get());
    know("web", {ip("172.18.0.2")});
    Bytes query = dns_query(6, "web", kTypeMx);
    auto to = v4_addr("127.0.0.11", 53);
    ASSERT_GT(::sendto(client_.get(), query.data(), query.size(), 0,
                       reinterpret_cast<sockaddr*>(&to), sizeof to),
              0);
    ASSERT_TRUE(upstream.answer_one({1, 2, 3, 4})) << "an MX question goes upstream";
    EXPECT_EQ(test::get16(upstream.last_query, upstream.last_query.size() - 4), kTypeMx);
    auto reply = receive(client_.get(), 3000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(read_response(*reply)->id, 6);
}

TEST_F(DnsServerTest, ContainerUpstreamsReplaceTheHosts) {
    start({ip("127.0.0.2")});  // nobody listens there
    auto upstream = fake_upstream("127.0.0.1");
    add_container("c1", container_ns_.get(), {ip("127.0.0.11"), ip("127.0.0.1")});
    auto to = v4_addr("127.0.0.11", 53);
    Bytes query = dns_query(8, "example.org", test::kTypeA);
    ASSERT_GT(::sendto(client_.get(), query.data(), query.size(), 0,
                       reinterpret_cast<sockaddr*>(&to), sizeof to),
              0);
    ASSERT_TRUE(upstream.answer_one({5, 6, 7, 8}))
        << "the container's --dns, not the host's, is asked";
    auto reply = receive(client_.get(), 3000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(read_response(*reply)->answers.at(0).rdata, (Bytes{5, 6, 7, 8}));
}

TEST_F(DnsServerTest, SilentUpstreamIsPassedOverAfterATimeout) {
    auto silent = fake_upstream("127.0.0.3");  // bound, never answers
    auto upstream = fake_upstream("127.0.0.1");
    start({ip("127.0.0.3"), ip("127.0.0.1")});
    add_container("c1", container_ns_.get());
    auto began = Clock::now();
    auto to = v4_addr("127.0.0.11", 53);
    Bytes query = dns_query(9, "example.net", test::kTypeA);
    ASSERT_GT(::sendto(client_.get(), query.data(), query.size(), 0,
                       reinterpret_cast<sockaddr*>(&to), sizeof to),
              0);
    ASSERT_TRUE(upstream.answer_one({9, 9, 9, 9}, 4000)) << "the second upstream was never asked";
    EXPECT_GE(Clock::now() - began, std::chrono::milliseconds(1400))
        << "the first one had its time";
    EXPECT_TRUE(receive(silent.socket.get(), 0)) << "the first upstream was asked first";
    auto reply = receive(client_.get(), 3000);
    ASSERT_TRUE(reply);
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 9);
    EXPECT_EQ(r->answers.at(0).rdata, (Bytes{9, 9, 9, 9}));
}

TEST_F(DnsServerTest, ServfailWhenEveryUpstreamIsSilent) {
    auto silent = fake_upstream("127.0.0.3");
    start({ip("127.0.0.3")});
    add_container("c1", container_ns_.get());
    auto began = Clock::now();
    auto reply = ask(client_.get(), dns_query(10, "example.net", test::kTypeA), 5000);
    ASSERT_TRUE(reply) << "no SERVFAIL after the upstream timed out";
    EXPECT_GE(Clock::now() - began, std::chrono::milliseconds(1400));
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 10);
    EXPECT_EQ(r->rcode(), 2);
}

TEST_F(DnsServerTest, ServfailAtOnceWithoutUsableUpstream) {
    start();
    add_container("c1", container_ns_.get(), {ip("127.0.0.11")});  // itself: a loop, left out
    auto began = Clock::now();
    auto reply = ask(client_.get(), dns_query(11, "example.net", test::kTypeA));
    ASSERT_TRUE(reply);
    EXPECT_LT(Clock::now() - began, std::chrono::milliseconds(1000));
    EXPECT_EQ(read_response(*reply)->rcode(), 2);
}

TEST_F(DnsServerTest, MalformedQueryGetsFormerr) {
    start();
    add_container("c1", container_ns_.get());
    Bytes bad = dns_query(0x0BAD, "web", test::kTypeA);
    bad[5] = 0;  // no question
    auto reply = ask(client_.get(), bad);
    ASSERT_TRUE(reply);
    auto r = read_response(*reply);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 0x0BAD);
    EXPECT_EQ(r->rcode(), 1);
    EXPECT_TRUE(asked().empty());
}

// A TCP client of 127.0.0.11:53 in the container's namespace.
UniqueFd tcp_client(int netns_fd) {
    return in_netns(netns_fd, [] {
        UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        auto to = v4_addr("127.0.0.11", 53);
        if (::connect(s.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
            ADD_FAILURE() << "connect 127.0.0.11:53: " << std::strerror(errno);
            return UniqueFd();
        }
        return s;
    });
}

Bytes framed(const Bytes& message) {
    Bytes b(2 + message.size());
    b[0] = static_cast<std::uint8_t>(message.size() >> 8);
    b[1] = static_cast<std::uint8_t>(message.size());
    std::copy(message.begin(), message.end(), b.begin() + 2);
    return b;
}

std::optional<Bytes> read_exactly(int fd, std::size_t n, int timeout_ms) {
    Bytes b;
    auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (b.size() < n) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) return std::nullopt;
        std::uint8_t buf[4096];
        ssize_t got = ::read(fd, buf, std::min(sizeof buf, n - b.size()));
        if (got <= 0) return std::nullopt;
        b.insert(b.end(), buf, buf + got);
    }
    return b;
}

std::optional<Bytes> read_framed(int fd, int timeout_ms = 3000) {
    auto len = read_exactly(fd, 2, timeout_ms);
    if (!len) return std::nullopt;
    return read_exactly(fd, test::get16(*len, 0), timeout_ms);
}

TEST_F(DnsServerTest, TcpQueriesAreAnsweredAndForwarded) {
    start({ip("127.0.0.1")});
    auto upstream = fake_upstream("127.0.0.1");
    add_container("c1", container_ns_.get());
    know("web", {ip("172.18.0.2")});
    auto conn = tcp_client(container_ns_.get());
    ASSERT_TRUE(conn.valid());
    // Two messages in one write: the framing, not the segments, separates them.
    Bytes first_query = framed(dns_query(21, "web", test::kTypeA));
    Bytes second_query = framed(dns_query(22, "example.com", test::kTypeA));
    Bytes both(first_query.size() + second_query.size());
    std::copy(second_query.begin(), second_query.end(),
              std::copy(first_query.begin(), first_query.end(), both.begin()));
    ASSERT_EQ(::write(conn.get(), both.data(), both.size()), static_cast<ssize_t>(both.size()));

    auto first = read_framed(conn.get());
    ASSERT_TRUE(first) << "no answer over TCP";
    auto r1 = read_response(*first);
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->id, 21);
    EXPECT_EQ(r1->answers.at(0).rdata, (Bytes{172, 18, 0, 2}));

    ASSERT_TRUE(upstream.answer_one({93, 184, 216, 34}))
        << "the TCP query was not forwarded (over UDP)";
    auto forwarded = read_framed(conn.get());
    ASSERT_TRUE(forwarded);
    auto r2 = read_response(*forwarded);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->id, 22);
    EXPECT_EQ(r2->answers.at(0).rdata, (Bytes{93, 184, 216, 34}));
}

TEST_F(DnsServerTest, IdleTcpConnectionIsClosed) {
    start();
    add_container("c1", container_ns_.get());
    auto conn = tcp_client(container_ns_.get());
    ASSERT_TRUE(conn.valid());
    pollfd p{conn.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 10000), 1) << "the idle connection stayed open";
    char c;
    EXPECT_EQ(::read(conn.get(), &c, 1), 0) << "closed by the server";
}

TEST_F(DnsServerTest, RemoveStopsAnsweringAndFreesTheAddress) {
    start();
    add_container("c1", container_ns_.get());
    know("web", {ip("172.18.0.2")});
    ASSERT_TRUE(ask(client_.get(), dns_query(1, "web", test::kTypeA)));
    server_->remove("c1");
    EXPECT_FALSE(ask(client_.get(), dns_query(2, "web", test::kTypeA), 500))
        << "answered after remove";
    auto rebound = udp_socket(container_ns_.get(), "127.0.0.11", 53);
    EXPECT_TRUE(rebound.valid()) << "127.0.0.11:53 still taken after remove";
}

TEST_F(DnsServerTest, AddReplacesAnEarlierRegistration) {
    start();
    auto upstream = fake_upstream("127.0.0.1");
    add_container("c1", container_ns_.get(), {ip("127.0.0.2")});
    add_container("c1", container_ns_.get(),
                  {ip("127.0.0.1")});  // same namespace: the old sockets must go
    auto to = v4_addr("127.0.0.11", 53);
    Bytes query = dns_query(12, "example.com", test::kTypeA);
    ASSERT_GT(::sendto(client_.get(), query.data(), query.size(), 0,
                       reinterpret_cast<sockaddr*>(&to), sizeof to),
              0);
    ASSERT_TRUE(upstream.answer_one({1, 1, 1, 1}))
        << "the new registration's upstream was not used";
    auto reply = receive(client_.get(), 3000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(read_response(*reply)->id, 12);
}

TEST_F(DnsServerTest, EachContainerIsAskedAboutUnderItsOwnId) {
    start();
    auto other_ns = private_netns();
    add_container("c1", container_ns_.get());
    add_container("c2", other_ns.get());
    know("web", {ip("172.18.0.2")});
    auto other_client = udp_socket(other_ns.get());
    ASSERT_TRUE(ask(client_.get(), dns_query(1, "web", test::kTypeA)));
    ASSERT_TRUE(ask(other_client.get(), dns_query(2, "web", test::kTypeA)));
    EXPECT_EQ(asked(), (std::vector<std::string>{"c1 web", "c2 web"}));
}

TEST_F(DnsServerTest, AddFailsWhenLoIsDown) {
    start();
    auto lo_down = private_netns(false);
    auto r = server_->add("c1", lo_down.get(), {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("127.0.0.11:53 in the container's network namespace: its "
                                     "loopback interface lo is down"),
              std::string::npos)
        << r.error().message;
}

TEST_F(DnsServerTest, AddFailsWhenTheAddressIsTakenAndSaysWhere) {
    start();
    auto taken = udp_socket(container_ns_.get(), "127.0.0.11", 53);
    ASSERT_TRUE(taken.valid());
    auto r = server_->add("c1", container_ns_.get(), {});
    ASSERT_FALSE(r);
    EXPECT_NE(
        r.error().message.find(
            "binding 127.0.0.11:53 in the container's network namespace: Address already in use"),
        std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("c1"), std::string::npos) << r.error().message;
}

TEST(DnsServerNameservers, ReadsUsableNameserversOfResolvConf) {
    auto servers = DnsServer::nameservers_of(
        "# generated\n"
        "nameserver 127.0.0.53\n"
        "nameserver\t8.8.8.8  # trailing comment\n"
        "nameserver 127.0.0.11\n"
        "  nameserver ::1\n"
        "nameserver fe80::1%eth0\n"
        "nameserver not-an-address\n"
        "nameservers 1.1.1.1\n"
        ";nameserver 9.9.9.9\n"
        "search example.com\n"
        "options ndots:2\n");
    std::vector<IpAddress> expected{ip("127.0.0.53"), ip("8.8.8.8"), ip("::1")};
    EXPECT_EQ(servers, expected);
}

}  // namespace
}  // namespace berth::network

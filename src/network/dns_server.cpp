// One thread serves every container: an epoll set holds each registration's UDP
// and TCP listening sockets, the accepted TCP connections, one connected UDP
// socket per query being forwarded, an eventfd (commands from add/remove, stop)
// and a timerfd (forwarding timeouts, idle TCP connections). Every watched fd is
// registered under a token that is never reused, so an event of a batch whose fd
// an earlier event of the same batch closed finds no source and is ignored.
//
// add() and remove() hand their work to the server thread and wait for it, so
// the thread alone owns the state, and after remove() returns the sockets are
// closed (a new registration of the same namespace can bind 127.0.0.11:53).
#include "network/dns_server.hpp"

#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cstring>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"
#include "network/dns_server_impl.hpp"
#include "network/dns_sockets.hpp"

namespace berth::network {

using namespace dns_detail;

namespace {

constexpr int kMaxEvents = 64;

bool is_embedded_dns(const IpAddress& a) {
    return a == embedded_dns_address();
}

std::vector<IpAddress> without_embedded_dns(std::vector<IpAddress> servers) {
    std::erase_if(servers, is_embedded_dns);
    return servers;
}

}  // namespace

Result<void> DnsServer::Impl::init() {
    epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) return sys_fail("creating the DNS server's epoll instance");
    wake.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake) return sys_fail("creating the DNS server's eventfd");
    timer.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer) return sys_fail("creating the DNS server's timerfd");
    for (auto [fd, token] :
         {std::pair{wake.get(), kWakeToken}, std::pair{timer.get(), kTimerToken}}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = token;
        if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
            return sys_fail("watching the DNS server's own fds");
    }
    return {};
}

// ---- commands from other threads ----

void DnsServer::Impl::signal_wake() {
    std::uint64_t one = 1;
    // Can only fail when the counter would overflow, and then a wake-up is pending anyway.
    [[maybe_unused]] ssize_t n = ::write(wake.get(), &one, sizeof one);
}

Result<void> DnsServer::Impl::submit(Command command) {
    bool on_server_thread = std::this_thread::get_id() == thread.get_id();
    if (on_server_thread && command.add)
        return fail(
            "DnsServer::add called on the DNS server's own thread (from the lookup callback)");
    auto done = command.done.get_future();
    {
        std::lock_guard lock(mu);
        if (stopping) return fail("the DNS server is stopping");
        commands.push_back(std::move(command));
    }
    signal_wake();
    // A remove() from the lookup callback takes effect after the current event.
    if (on_server_thread) return {};
    return done.get();
}

bool DnsServer::Impl::apply_commands() {
    std::deque<Command> todo;
    bool stop;
    {
        std::lock_guard lock(mu);
        todo.swap(commands);
        stop = stopping;
    }
    for (auto& c : todo) {
        if (c.add)
            c.done.set_value(apply_add(c.id, c.netns_fd, std::move(c.upstream)));
        else {
            unregister(c.id);
            c.done.set_value({});
        }
    }
    return !stop;
}

Result<void> DnsServer::Impl::apply_add(const std::string& id, int netns_fd,
                                        std::vector<IpAddress> upstream) {
    // The old sockets go first: a registration of the same namespace binds the same address.
    unregister(id);
    auto sockets = BERTH_TRY(bind_dns_sockets_in(netns_fd));
    Registration reg;
    reg.upstream = upstream.empty() ? host_upstream : without_embedded_dns(std::move(upstream));
    reg.udp_token = watch(sockets.udp.get(), EPOLLIN, {SourceKind::udp, id});
    if (!reg.udp_token) return sys_fail("watching the DNS server's UDP socket");
    reg.tcp_token = watch(sockets.tcp.get(), EPOLLIN, {SourceKind::tcp_listener, id});
    if (!reg.tcp_token) {
        int err = errno;
        unwatch(reg.udp_token, sockets.udp.get());
        return sys_fail("watching the DNS server's TCP socket", err);
    }
    reg.udp = std::move(sockets.udp);
    reg.tcp = std::move(sockets.tcp);
    registrations.emplace(id, std::move(reg));
    return {};
}

void DnsServer::Impl::unregister(const std::string& id) {
    auto it = registrations.find(id);
    if (it == registrations.end()) return;
    unwatch(it->second.udp_token, it->second.udp.get());
    unwatch(it->second.tcp_token, it->second.tcp.get());
    registrations.erase(it);
    std::vector<std::uint64_t> gone;
    for (auto& [token, c] : connections)
        if (c.container_id == id) gone.push_back(token);
    for (auto token : gone) close_connection(token);
    gone.clear();
    for (auto& [token, f] : forwards)
        if (f.container_id == id) gone.push_back(token);
    for (auto token : gone) take_forward(token);  // dropped: nobody left to answer
}

// Returns the token, 0 (errno set) when epoll refused the fd.
std::uint64_t DnsServer::Impl::watch(int fd, std::uint32_t events, Source source) {
    std::uint64_t token = next_token++;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return 0;
    sources.emplace(token, std::move(source));
    return token;
}

// Must come before the fd is closed: epoll forgets an fd only with its last
// reference, and the token must die with the fd either way.
void DnsServer::Impl::unwatch(std::uint64_t token, int fd) {
    sources.erase(token);
    ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
}

// ---- the loop ----

void DnsServer::Impl::run() {
    epoll_event events[kMaxEvents];
    for (;;) {
        arm_timer();
        int n = ::epoll_wait(epoll.get(), events, kMaxEvents, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            log::error(cat("embedded DNS server: epoll_wait: ", std::strerror(errno)));
            continue;
        }
        for (int i = 0; i < n; ++i) {
            if (events[i].data.u64 == kWakeToken) {
                std::uint64_t count;
                [[maybe_unused]] ssize_t r = ::read(wake.get(), &count, sizeof count);
                if (!apply_commands()) return;
            } else {
                dispatch(events[i].data.u64, events[i].events);
            }
        }
    }
}

void DnsServer::Impl::dispatch(std::uint64_t token, std::uint32_t events) {
    if (token == kTimerToken) {
        std::uint64_t expirations;
        [[maybe_unused]] ssize_t r = ::read(timer.get(), &expirations, sizeof expirations);
        armed.reset();
        expire(Clock::now());
        return;
    }
    auto it = sources.find(token);
    if (it == sources.end()) return;  // closed by an earlier event of this batch
    Source source = it->second;       // the handlers may erase it
    switch (source.kind) {
        case SourceKind::udp:
            serve_udp(source.container_id);
            break;
        case SourceKind::tcp_listener:
            accept_connections(source.container_id);
            break;
        case SourceKind::tcp_connection:
            serve_connection(token, events);
            break;
        case SourceKind::upstream:
            receive_upstream(token);
            break;
    }
}

void DnsServer::Impl::expire(Clock::time_point now) {
    std::vector<std::uint64_t> due;
    for (auto& [token, f] : forwards)
        if (f.deadline <= now) due.push_back(token);
    for (auto token : due) send_to_next_upstream(take_forward(token));
    due.clear();
    for (auto& [token, c] : connections)
        if (c.forwarding == 0 && c.idle_deadline <= now) due.push_back(token);
    for (auto token : due) close_connection(token);
}

void DnsServer::Impl::arm_timer() {
    std::optional<Clock::time_point> next;
    auto consider = [&](Clock::time_point t) {
        if (!next || t < *next) next = t;
    };
    for (auto& [token, f] : forwards) consider(f.deadline);
    // A connection waiting for an upstream is not idle; its forward's deadline counts.
    for (auto& [token, c] : connections)
        if (c.forwarding == 0) consider(c.idle_deadline);
    if (next == armed) return;
    itimerspec spec{};
    if (next) {
        // steady_clock is CLOCK_MONOTONIC; a deadline already past fires at once
        // (an all-zero it_value would disarm the timer instead).
        auto ns = std::max<std::int64_t>(
            1,
            std::chrono::duration_cast<std::chrono::nanoseconds>(next->time_since_epoch()).count());
        spec.it_value.tv_sec = ns / 1000000000;
        spec.it_value.tv_nsec = ns % 1000000000;
    }
    if (::timerfd_settime(timer.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
        log::error(cat("embedded DNS server: timerfd_settime: ", std::strerror(errno)));
        return;
    }
    armed = next;
}

// ---- the public face ----

Result<std::unique_ptr<DnsServer>> DnsServer::start(DnsLookup lookup,
                                                    std::vector<IpAddress> host_upstream) {
    std::unique_ptr<DnsServer> server(new DnsServer());
    server->impl_ = std::make_unique<Impl>();
    Impl& impl = *server->impl_;
    impl.lookup = std::move(lookup);
    impl.host_upstream = without_embedded_dns(std::move(host_upstream));
    BERTH_TRYV_CTX(impl.init(), "starting the embedded DNS server");
    impl.thread = std::thread([&impl] { impl.run(); });
    return server;
}

DnsServer::~DnsServer() {
    if (!impl_ || !impl_->thread.joinable()) return;
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->signal_wake();
    impl_->thread.join();
    // Commands that raced with the stop: their callers get an answer.
    for (auto& c : impl_->commands)
        c.done.set_value(c.add ? Result<void>(fail("the DNS server stopped")) : Result<void>());
}

Result<void> DnsServer::add(const std::string& container_id, int netns_fd,
                            std::vector<IpAddress> upstream) {
    Impl::Command c;
    c.add = true;
    c.id = container_id;
    c.netns_fd = netns_fd;
    c.upstream = std::move(upstream);
    return with_context(impl_->submit(std::move(c)),
                        "embedded DNS server for container " + container_id);
}

void DnsServer::remove(const std::string& container_id) {
    Impl::Command c;
    c.id = container_id;
    [[maybe_unused]] auto r = impl_->submit(std::move(c));
}

std::vector<IpAddress> DnsServer::nameservers_of(const std::string& resolv_conf) {
    std::vector<IpAddress> servers;
    for (const auto& raw : split(resolv_conf, '\n')) {
        std::string_view line = trim(raw);
        if (!line.starts_with("nameserver")) continue;
        line.remove_prefix(std::string_view("nameserver").size());
        if (line.empty() || (line[0] != ' ' && line[0] != '\t')) continue;
        line = trim(line);
        line = line.substr(0, line.find_first_of(" \t#;"));
        // A zone ("fe80::1%eth0") names an interface of the host, which the
        // address alone can't reach: IpAddress::parse refuses it.
        auto address = IpAddress::parse(line);
        // 127.0.0.11 is this server: forwarding there would loop. Other loopback
        // resolvers (systemd-resolved's 127.0.0.53) are fine, as queries leave
        // from the daemon's namespace, where they listen.
        if (address && !is_embedded_dns(*address)) servers.push_back(*address);
    }
    return servers;
}

}  // namespace berth::network

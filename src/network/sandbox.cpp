// Containers' sandboxes: endpoints planned (addresses, ports, files), plumbed into
// the container's namespace, released, readopted after a daemon restart, and
// connected or disconnected while running.
#include <algorithm>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_exit.hpp"
#include "base/text.hpp"
#include "network/netns.hpp"
#include "network/network_service_impl.hpp"
#include "network/port_bindings.hpp"
#include "network/sandbox_files.hpp"

namespace berth::network {

namespace {

// A random locally administered unicast MAC, for endpoints without IPv4.
MacAddress random_mac() {
    auto hex = random_hex(4);
    MacAddress m;
    m.bytes = {0x02, 0x42, 0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) m.bytes[2 + i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return m;
}

// Reserves the host side of one port request: a specific port, the first free
// one of a range, or any free port.
Result<PortReservation> reserve_request(const PortRequest& r, const std::optional<IpAddress>& host_ip, bool v6) {
    if (r.host_first == 0 && r.host_last == 0) return reserve_port(r.proto, host_ip, 0, v6);
    Result<PortReservation> last = fail("empty port range");
    for (unsigned p = r.host_first; p <= r.host_last; ++p) {
        last = reserve_port(r.proto, host_ip, static_cast<std::uint16_t>(p), v6);
        if (last || last.error().kind != ErrorKind::conflict) return last;
    }
    return last;
}

}  // namespace

// --- SandboxPlan ---------------------------------------------------------------

SandboxPlan::~SandboxPlan() {
    if (owner_) owner_->give_back(*this);
}

SandboxPlan::SandboxPlan(SandboxPlan&& o) noexcept { *this = std::move(o); }

SandboxPlan& SandboxPlan::operator=(SandboxPlan&& o) noexcept {
    if (this == &o) return *this;
    if (owner_) owner_->give_back(*this);
    endpoints = std::move(o.endpoints);
    ports = std::move(o.ports);
    hosts = std::move(o.hosts);
    resolv_conf = std::move(o.resolv_conf);
    owner_ = std::exchange(o.owner_, nullptr);
    container_id_ = std::move(o.container_id_);
    request_ = std::move(o.request_);
    mappings_ = std::move(o.mappings_);
    reservations_ = std::move(o.reservations_);
    upstream_ = std::move(o.upstream_);
    return *this;
}

void NetworkService::give_back(SandboxPlan& plan) {
    std::lock_guard lock(impl_->mu);
    for (const auto& e : plan.endpoints) impl_->release_endpoint_locked(e);
    plan.reservations_.clear();
    plan.owner_ = nullptr;
}

// --- endpoints -----------------------------------------------------------------

Result<Endpoint> NetworkService::Impl::allocate_endpoint_locked(NetState& s, const EndpointConfig& wanted,
                                                               const std::string& container_id) {
    const Network& n = s.net;
    if (n.driver != "bridge")
        return fail_as(ErrorKind::invalid_argument,
                       cat("container cannot be connected to network ", n.name, " (driver ", n.driver,
                           ") together with others"));
    if (n.is_default && (wanted.ipv4 || wanted.ipv6))
        return fail_as(ErrorKind::invalid_argument, "user specified IP address is supported on user defined networks only");
    if (n.is_default && !wanted.aliases.empty())
        return fail_as(ErrorKind::invalid_argument,
                       "network-scoped alias is supported only for containers in user defined networks");
    Endpoint e;
    e.network_id = n.id;
    e.network_name = n.name;
    e.endpoint_id = random_hex(32);
    e.host_veth = "veth" + e.endpoint_id.substr(0, 7);
    e.config = wanted;
    if (n.has_dns()) {
        // Docker's implicit alias: the short container ID.
        auto short_id = container_id.substr(0, 12);
        if (std::find(e.config.aliases.begin(), e.config.aliases.end(), short_id) == e.config.aliases.end())
            e.config.aliases.push_back(short_id);
    }
    Rollback undo;
    if (s.pool.has_family(false)) {
        IpAddress a = wanted.ipv4 ? *wanted.ipv4 : BERTH_TRY(s.pool.allocate(false));
        if (wanted.ipv4) BERTH_TRYV(s.pool.reserve(a));
        undo.add([&s, a] { s.pool.release(a); });
        const IpamPool* p = s.pool.pool_of(a);
        e.ipv4 = IpPrefix{a, p->subnet.len};
        e.gateway4 = p->gateway;
    } else if (wanted.ipv4) {
        return fail_as(ErrorKind::invalid_argument, cat("network ", n.name, " has no IPv4 subnet for ", wanted.ipv4->str()));
    }
    if (n.enable_ipv6 && s.pool.has_family(true)) {
        IpAddress a = wanted.ipv6 ? *wanted.ipv6 : BERTH_TRY(s.pool.allocate(true));
        if (wanted.ipv6) BERTH_TRYV(s.pool.reserve(a));
        undo.add([&s, a] { s.pool.release(a); });
        const IpamPool* p = s.pool.pool_of(a);
        e.ipv6 = IpPrefix{a, p->subnet.len};
        e.gateway6 = p->gateway;
    } else if (wanted.ipv6) {
        return fail_as(ErrorKind::invalid_argument, cat("network ", n.name, " has no IPv6 subnet for ", wanted.ipv6->str()));
    }
    e.mac = wanted.mac ? *wanted.mac : e.ipv4 ? MacAddress::from_ipv4(e.ipv4->addr) : random_mac();
    undo.commit();
    return e;
}

void NetworkService::Impl::release_endpoint_locked(const Endpoint& e) {
    auto it = nets.find(e.network_id);
    if (it == nets.end()) return;
    if (e.ipv4) it->second.pool.release(e.ipv4->addr);
    if (e.ipv6) it->second.pool.release(e.ipv6->addr);
}

Result<void> NetworkService::Impl::plug(const Endpoint& e, int netns_fd, Netlink& in_ns, const std::string& ifname,
                                        bool route) {
    std::string bridge;
    int mtu = 0;
    {
        std::lock_guard lock(mu);
        auto it = nets.find(e.network_id);
        if (it == nets.end()) return fail_as(ErrorKind::not_found, cat("network ", e.network_name, " not found"));
        bridge = it->second.net.bridge;
        mtu = it->second.net.mtu;
    }
    {
        std::lock_guard lock(nl_mu);
        BERTH_TRYV(nl->create_veth(e.host_veth, ifname, netns_fd, mtu));
        BERTH_TRYV(nl->set_master(e.host_veth, bridge));
        BERTH_TRYV(nl->set_hairpin(e.host_veth, true));
        BERTH_TRYV(nl->set_up(e.host_veth));
    }
    BERTH_TRYV(in_ns.set_mac(ifname, e.mac));
    if (e.ipv4) BERTH_TRYV(in_ns.add_address(ifname, *e.ipv4));
    if (e.ipv6) BERTH_TRYV(in_ns.add_address(ifname, *e.ipv6));
    BERTH_TRYV(in_ns.set_up(ifname));
    if (route) {
        if (e.gateway4) BERTH_TRYV(in_ns.add_default_route(*e.gateway4));
        if (e.gateway6) BERTH_TRYV(in_ns.add_default_route(*e.gateway6));
    }
    return {};
}

// --- plan, wire, release ----------------------------------------------------------

Result<SandboxPlan> NetworkService::plan(const SandboxRequest& req) {
    auto& I = *impl_;
    SandboxPlan plan;
    plan.owner_ = this;
    plan.container_id_ = req.container_id;
    plan.request_ = req;
    bool embedded_dns = false;
    {
        std::lock_guard lock(I.mu);
        for (const auto& [ref, cfg] : req.networks) {
            NetState* s = I.find_locked(ref);
            if (!s) return fail_as(ErrorKind::not_found, cat("network ", ref, " not found"));
            bool dup = std::any_of(plan.endpoints.begin(), plan.endpoints.end(),
                                   [&](const Endpoint& e) { return e.network_id == s->net.id; });
            if (dup) continue;
            plan.endpoints.push_back(BERTH_TRY(I.allocate_endpoint_locked(*s, cfg, req.container_id)));
            embedded_dns = embedded_dns || s->net.has_dns();
        }
    }

    // Published ports go to the first endpoint's addresses.
    if (!plan.endpoints.empty()) {
        const Endpoint& target = plan.endpoints.front();
        std::optional<IpAddress> default_ip;
        {
            std::lock_guard lock(I.mu);
            if (auto it = I.nets.find(target.network_id); it != I.nets.end()) default_ip = it->second.net.host_binding;
        }
        if (!default_ip && !I.cfg.default_bind_ip.empty()) {
            auto ip = IpAddress::parse(I.cfg.default_bind_ip);
            if (ip) default_ip = *ip;
        }
        for (const auto& r : BERTH_TRY(port_requests(req.port_bindings, req.exposed_ports, req.publish_all))) {
            std::optional<IpAddress> host_ip = r.host_ip ? r.host_ip : default_ip;
            bool v6 = host_ip && host_ip->v6;
            const auto& to = v6 ? target.ipv6 : target.ipv4;
            if (!to)
                return fail_as(ErrorKind::invalid_argument,
                               cat("cannot publish ", r.container_port, "/", r.proto, " on ", host_ip ? host_ip->str() : "",
                                   ": the container has no IPv", v6 ? "6" : "4", " address on network ",
                                   target.network_name));
            bool any = !host_ip || host_ip->is_unspecified();
            auto held = BERTH_TRY(reserve_request(r, any ? std::nullopt : host_ip, v6));
            plan.mappings_.push_back({r.proto, any ? std::nullopt : host_ip, held.port(), to->addr, r.container_port});
            plan.ports.push_back({r.proto, r.container_port, any ? (v6 ? "::" : "0.0.0.0") : host_ip->str(), held.port()});
            plan.reservations_.push_back(std::move(held));
        }
    }

    // The files.
    auto gateway = host_gateway();
    std::vector<HostsEntry> extra;
    for (const auto& spec : req.extra_hosts) extra.push_back(BERTH_TRY(parse_extra_host(spec, gateway)));
    for (const auto& link : req.links) {
        if (embedded_dns) break;  // user networks resolve links by DNS
        auto colon = link.find(':');
        std::string target = link.substr(0, colon), alias = colon == std::string::npos ? target : link.substr(colon + 1);
        if (!target.empty() && target[0] == '/') target.erase(0, 1);
        auto ip = req.link_address ? req.link_address(target) : std::nullopt;
        if (!ip)
            return fail_as(ErrorKind::invalid_argument,
                           cat("Cannot link to a non running container: /", target, " AS /", req.container_name, "/",
                               alias));
        extra.push_back({*ip, alias == target ? std::vector<std::string>{alias} : std::vector<std::string>{alias, target}});
    }
    auto host_resolv = read_file(I.cfg.resolv_conf);
    std::string host_resolv_text = host_resolv ? *host_resolv : "";
    if (req.network_mode == "host") {
        auto host_hosts = read_file("/etc/hosts");
        plan.hosts = host_hosts ? *host_hosts : hosts_file({}, {}, req.hostname, req.domainname);
        for (const auto& e : extra) plan.hosts += cat(e.address, "\t", e.names[0], "\n");
        plan.resolv_conf = req.dns.empty() && req.dns_search.empty() && req.dns_options.empty()
                               ? host_resolv_text
                               : resolv_conf_file(host_resolv_text, {req.dns, req.dns_search, req.dns_options}, false);
    } else {
        std::vector<std::string> own;
        if (!plan.endpoints.empty()) {
            if (plan.endpoints[0].ipv4) own.push_back(plan.endpoints[0].ipv4->addr.str());
            if (plan.endpoints[0].ipv6) own.push_back(plan.endpoints[0].ipv6->addr.str());
        }
        plan.hosts = hosts_file(extra, own, req.hostname, req.domainname);
        plan.resolv_conf = resolv_conf_file(host_resolv_text, {req.dns, req.dns_search, req.dns_options}, embedded_dns);
    }
    if (embedded_dns)
        for (const auto& d : req.dns)
            if (auto a = IpAddress::parse(d)) plan.upstream_.push_back(*a);
    return plan;
}

Result<void> NetworkService::wire(SandboxPlan&& plan, pid_t pid) {
    auto& I = *impl_;
    LiveSandbox live;
    live.id = plan.container_id_;
    live.name = plan.request_.container_name;
    live.links = plan.request_.links;
    live.upstream = plan.upstream_;
    Rollback undo;
    // Every mode but host has a namespace of its own whose `lo` must be up (none
    // included: programs bind 127.0.0.1 there too).
    if (plan.request_.network_mode != "host") {
        auto netns = BERTH_TRY(open_netns_of(pid));
        auto in_ns = BERTH_TRY(Netlink::open_in(netns.get()));
        BERTH_TRYV(in_ns.set_up("lo"));
        bool routed = false;
        bool dns = false;
        for (std::size_t i = 0; i < plan.endpoints.size(); ++i) {
            const auto& e = plan.endpoints[i];
            bool internal = false;
            {
                std::lock_guard lock(I.mu);
                if (auto it = I.nets.find(e.network_id); it != I.nets.end()) {
                    internal = it->second.net.internal;
                    dns = dns || it->second.net.has_dns();
                }
            }
            undo.add([&I, veth = e.host_veth] {
                std::lock_guard lock(I.nl_mu);
                (void)I.nl->delete_link(veth);
            });
            BERTH_TRYV(with_context(I.plug(e, netns.get(), in_ns, cat("eth", i), !routed && !internal),
                                    cat("connecting to network ", e.network_name)));
            routed = routed || !internal;
        }
        if (!plan.mappings_.empty()) {
            BERTH_TRYV(I.firewall->add_ports(plan.mappings_));
            undo.add([&I, m = plan.mappings_] { (void)I.firewall->remove_ports(m); });
        }
        if (dns) {
            BERTH_TRYV(with_context(I.dns->add(live.id, netns.get(), live.upstream), "starting the embedded DNS server"));
            live.dns = true;
        }
    }
    live.endpoints = plan.endpoints;
    live.mappings = plan.mappings_;
    live.reservations = std::move(plan.reservations_);
    {
        std::lock_guard lock(I.mu);
        I.live[live.id] = std::move(live);
    }
    plan.owner_ = nullptr;  // the live table owns the addresses now
    undo.commit();
    return {};
}

void NetworkService::release(const std::string& container_id) {
    auto& I = *impl_;
    LiveSandbox l;
    {
        std::lock_guard lock(I.mu);
        auto it = I.live.find(container_id);
        if (it == I.live.end()) return;
        l = std::move(it->second);
        I.live.erase(it);
        for (const auto& e : l.endpoints) I.release_endpoint_locked(e);
    }
    // The veth pairs need no work: they live in the container's namespace, which
    // the kernel destroys (and them with it) when the container's last process
    // exits.
    if (!l.mappings.empty())
        if (auto r = I.firewall->remove_ports(l.mappings); !r)
            log::warn(cat("container ", container_id.substr(0, 12), ": ", r.error().message));
    if (l.dns) I.dns->remove(container_id);
}

Result<void> NetworkService::restore(const SandboxRequest& req, pid_t pid, const std::vector<Endpoint>& endpoints,
                                     const std::vector<PublishedPort>& ports) {
    auto& I = *impl_;
    LiveSandbox live;
    live.id = req.container_id;
    live.name = req.container_name;
    live.links = req.links;
    bool dns = false;
    {
        std::lock_guard lock(I.mu);
        for (const auto& e : endpoints) {
            auto it = I.nets.find(e.network_id);
            if (it == I.nets.end() || e.endpoint_id.empty()) continue;
            auto& s = it->second;
            for (const auto& a : {e.ipv4, e.ipv6})
                if (a)
                    if (auto r = s.pool.reserve(a->addr); !r)
                        log::warn(cat("container ", req.container_id.substr(0, 12), ": ", r.error().message));
            dns = dns || s.net.has_dns();
            live.endpoints.push_back(e);
        }
    }
    for (const auto& p : ports) {
        auto ip = IpAddress::parse(p.host_ip);
        bool v6 = ip && ip->v6;
        bool any = !ip || ip->is_unspecified();
        const Endpoint* target = live.endpoints.empty() ? nullptr : &live.endpoints.front();
        const auto& to = target ? (v6 ? target->ipv6 : target->ipv4) : std::nullopt;
        if (!to) continue;
        live.mappings.push_back({p.proto, any ? std::nullopt : std::optional<IpAddress>(*ip), p.host_port, to->addr,
                                 p.container_port});
        auto held = reserve_port(p.proto, any ? std::nullopt : std::optional<IpAddress>(*ip), p.host_port, v6);
        if (held)
            live.reservations.push_back(std::move(*held));
        else
            log::warn(cat("container ", req.container_id.substr(0, 12), ": ", held.error().message));
    }
    if (dns) {
        for (const auto& d : req.dns)
            if (auto a = IpAddress::parse(d)) live.upstream.push_back(*a);
        auto netns = BERTH_TRY(open_netns_of(pid));
        BERTH_TRYV(I.dns->add(live.id, netns.get(), live.upstream));
        live.dns = true;
    }
    std::lock_guard lock(I.mu);
    I.live[live.id] = std::move(live);
    return {};
}

// --- live connect and disconnect ------------------------------------------------

Result<Endpoint> NetworkService::connect(const std::string& container_id, pid_t pid, const std::string& network_ref,
                                         const EndpointConfig& cfg) {
    auto& I = *impl_;
    Endpoint e;
    bool dns = false, internal = false, first = false;
    {
        std::lock_guard lock(I.mu);
        NetState* s = I.find_locked(network_ref);
        if (!s) return fail_as(ErrorKind::not_found, cat("network ", network_ref, " not found"));
        auto& l = I.live[container_id];
        for (const auto& have : l.endpoints)
            if (have.network_id == s->net.id)
                return fail_as(ErrorKind::conflict, cat("endpoint with name ", l.name.empty() ? container_id : l.name,
                                                        " already exists in network ", s->net.name));
        e = BERTH_TRY(I.allocate_endpoint_locked(*s, cfg, container_id));
        dns = s->net.has_dns() && !l.dns;
        internal = s->net.internal;
        first = l.endpoints.empty();
    }
    ScopeExit give_back([&] {
        std::lock_guard lock(I.mu);
        I.release_endpoint_locked(e);
    });
    auto netns = BERTH_TRY(open_netns_of(pid));
    auto in_ns = BERTH_TRY(Netlink::open_in(netns.get()));
    if (first) BERTH_TRYV(in_ns.set_up("lo"));
    std::string ifname;
    for (int i = 0;; ++i) {
        ifname = cat("eth", i);
        if (!BERTH_TRY(in_ns.link(ifname))) break;
    }
    if (auto r = I.plug(e, netns.get(), in_ns, ifname, first && !internal); !r) {
        std::lock_guard lock(I.nl_mu);
        (void)I.nl->delete_link(e.host_veth);
        return std::unexpected(std::move(r.error()).context(cat("connecting to network ", e.network_name)));
    }
    std::vector<IpAddress> upstream;
    if (dns) {
        {
            std::lock_guard lock(I.mu);
            upstream = I.live[container_id].upstream;
        }
        BERTH_TRYV(I.dns->add(container_id, netns.get(), upstream));
    }
    give_back.dismiss();
    std::lock_guard lock(I.mu);
    auto& l = I.live[container_id];
    l.endpoints.push_back(e);
    l.dns = l.dns || dns;
    return e;
}

Result<void> NetworkService::disconnect(const std::string& container_id, const std::string& network_ref) {
    auto& I = *impl_;
    Endpoint gone;
    bool drop_dns = false;
    {
        std::lock_guard lock(I.mu);
        NetState* s = I.find_locked(network_ref);
        if (!s) return fail_as(ErrorKind::not_found, cat("network ", network_ref, " not found"));
        auto it = I.live.find(container_id);
        auto at = it == I.live.end() ? std::vector<Endpoint>::iterator{} : it->second.endpoints.end();
        if (it != I.live.end())
            at = std::find_if(it->second.endpoints.begin(), it->second.endpoints.end(),
                              [&](const Endpoint& e) { return e.network_id == s->net.id; });
        if (it == I.live.end() || at == it->second.endpoints.end())
            return fail_as(ErrorKind::conflict,
                           cat("container ", container_id.substr(0, 12), " is not connected to network ", s->net.name));
        gone = *at;
        it->second.endpoints.erase(at);
        I.release_endpoint_locked(gone);
        bool still = false;
        for (const auto& e : it->second.endpoints)
            if (auto n = I.nets.find(e.network_id); n != I.nets.end()) still = still || n->second.net.has_dns();
        drop_dns = it->second.dns && !still;
        if (drop_dns) it->second.dns = false;
    }
    {
        // Deleting the host end takes the container's end with it.
        std::lock_guard lock(I.nl_mu);
        BERTH_TRYV(I.nl->delete_link(gone.host_veth));
    }
    if (drop_dns) I.dns->remove(container_id);
    return {};
}

}  // namespace berth::network

// Networks: the predefined ones, create, inspect, list, remove, prune; their
// bridges and the firewall table that follows them.
#include "network/network_service.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <utility>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "network/netns.hpp"
#include "network/network_service_impl.hpp"

namespace berth::network {

namespace {

constexpr std::string_view kOptBridgeName = "com.docker.network.bridge.name";
constexpr std::string_view kOptIcc = "com.docker.network.bridge.enable_icc";
constexpr std::string_view kOptMasquerade = "com.docker.network.bridge.enable_ip_masquerade";
constexpr std::string_view kOptHostBinding = "com.docker.network.bridge.host_binding_ipv4";
constexpr std::string_view kOptMtu = "com.docker.network.driver.mtu";

std::string networks_dir(const NetworkConfig& cfg) { return cfg.state_dir + "/networks"; }

// Docker's rule for names of networks (and containers).
bool valid_name(const std::string& name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

Result<bool> bool_option(const std::map<std::string, std::string>& opts, std::string_view key, bool dflt) {
    auto it = opts.find(std::string(key));
    if (it == opts.end()) return dflt;
    if (it->second == "true" || it->second == "1") return true;
    if (it->second == "false" || it->second == "0") return false;
    return fail_as(ErrorKind::invalid_argument, cat("invalid value ", berth::quoted(it->second), " for option ", key,
                                                    ": want true or false"));
}

// Bridge settings from the create options.
Result<void> apply_bridge_options(Network& n) {
    n.icc = BERTH_TRY(bool_option(n.options, kOptIcc, true));
    n.masquerade = BERTH_TRY(bool_option(n.options, kOptMasquerade, true));
    if (auto it = n.options.find(std::string(kOptHostBinding)); it != n.options.end() && !it->second.empty())
        n.host_binding = BERTH_TRY(with_context(IpAddress::parse(it->second), std::string(kOptHostBinding)));
    if (auto it = n.options.find(std::string(kOptMtu)); it != n.options.end()) {
        int mtu = 0;
        try {
            mtu = std::stoi(it->second);
        } catch (...) {
        }
        if (mtu < 68 || mtu > 65535)
            return fail_as(ErrorKind::invalid_argument, cat("invalid MTU ", berth::quoted(it->second), " in option ", kOptMtu,
                                                            ": want a number from 68 to 65535"));
        n.mtu = mtu;
    }
    if (auto it = n.options.find(std::string(kOptBridgeName)); it != n.options.end() && !it->second.empty()) {
        const auto& name = it->second;
        bool plain = std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
        });
        if (name.size() > 15 || !plain)
            return fail_as(ErrorKind::invalid_argument,
                           cat("invalid bridge name ", berth::quoted(name), " in option ", kOptBridgeName,
                               ": up to 15 of [a-zA-Z0-9_.-]"));
        n.bridge = it->second;
    }
    return {};
}

// A boolean field of a request body; absent or null is `dflt`.
Result<bool> bool_field(const Json& body, const char* key, bool dflt = false) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return dflt;
    if (!it->is_boolean()) return fail_as(ErrorKind::invalid_argument, cat(key, " must be true or false"));
    return it->get<bool>();
}

std::string string_field(const Json& body, const char* key, std::string dflt = "") {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : dflt;
}

std::map<std::string, std::string> string_map(const Json& j) {
    std::map<std::string, std::string> m;
    if (!j.is_object()) return m;
    for (const auto& [k, v] : j.items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return m;
}

Result<std::vector<IpamPool>> parse_pools(const Json& config) {
    std::vector<IpamPool> pools;
    if (config.is_null()) return pools;
    if (!config.is_array()) return fail_as(ErrorKind::invalid_argument, "IPAM.Config must be a list");
    for (const auto& c : config) {
        if (!c.is_object()) return fail_as(ErrorKind::invalid_argument, "IPAM.Config entries must be objects");
        IpamPool p;
        auto subnet = string_field(c, "Subnet");
        if (subnet.empty()) return fail_as(ErrorKind::invalid_argument, "IPAM.Config entry without a Subnet");
        auto sp = BERTH_TRY(IpPrefix::parse(subnet));
        p.subnet = sp.network();
        if (auto r = string_field(c, "IPRange"); !r.empty()) {
            auto range = BERTH_TRY(IpPrefix::parse(r));
            if (!p.subnet.contains(range.network()))
                return fail_as(ErrorKind::invalid_argument, cat("no matching subnet for range ", r));
            p.ip_range = range.network();
        }
        if (auto g = string_field(c, "Gateway"); !g.empty()) {
            auto gw = BERTH_TRY(IpAddress::parse(g));
            if (!p.subnet.contains(gw))
                return fail_as(ErrorKind::invalid_argument, cat("no matching subnet for gateway ", g));
            p.gateway = gw;
        }
        for (const char* key : {"AuxiliaryAddresses", "AuxAddress"})
            if (auto it = c.find(key); it != c.end() && it->is_object())
                for (const auto& [k, v] : it->items()) {
                    auto a = BERTH_TRY(IpAddress::parse(v.is_string() ? v.get<std::string>() : ""));
                    if (!p.subnet.contains(a))
                        return fail_as(ErrorKind::invalid_argument,
                                       cat("no matching subnet for aux-address ", a.str()));
                    p.aux[k] = a;
                }
        pools.push_back(std::move(p));
    }
    for (std::size_t i = 0; i < pools.size(); ++i)
        for (std::size_t k = i + 1; k < pools.size(); ++k)
            if (pools[i].subnet.overlaps(pools[k].subnet))
                return fail_as(ErrorKind::invalid_argument, cat("invalid pool request: subnets ", pools[i].subnet.str(),
                                                                " and ", pools[k].subnet.str(), " overlap"));
    return pools;
}

}  // namespace

std::string random_hex(std::size_t n) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(2 * n);
    for (std::size_t i = 0; i < 2 * n; ++i) s.push_back(kHex[rng() & 15]);
    return s;
}

NetState* NetworkService::Impl::find_locked(const std::string& ref) {
    return const_cast<NetState*>(std::as_const(*this).find_locked(ref));
}

const NetState* NetworkService::Impl::find_locked(const std::string& ref) const {
    if (ref.empty()) return nullptr;
    if (auto it = nets.find(ref); it != nets.end()) return &it->second;
    for (const auto& [id, s] : nets)
        if (s.net.name == ref) return &s;
    const NetState* found = nullptr;
    for (const auto& [id, s] : nets)
        if (id.starts_with(ref)) {
            if (found) return nullptr;  // ambiguous
            found = &s;
        }
    return found;
}

std::vector<FirewallNetwork> NetworkService::Impl::firewall_networks_locked() const {
    std::vector<FirewallNetwork> out;
    for (const auto& [id, s] : nets) {
        if (s.net.driver != "bridge") continue;
        FirewallNetwork f{s.net.bridge, {}, s.net.internal, s.net.icc, s.net.masquerade};
        for (const auto& p : s.net.pools) f.subnets.push_back(p.subnet.network());
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<PortMapping> NetworkService::Impl::mappings_locked() const {
    std::vector<PortMapping> out;
    for (const auto& [id, l] : live) out.insert(out.end(), l.mappings.begin(), l.mappings.end());
    return out;
}

std::optional<IpAddress> NetworkService::Impl::host_gateway_locked() const {
    for (const auto& [id, s] : nets)
        if (s.net.is_default)
            for (const auto& p : s.net.pools)
                if (!p.subnet.addr.v6 && p.gateway) return p.gateway;
    return std::nullopt;
}

Result<void> NetworkService::Impl::make_bridge(const Network& n) {
    std::lock_guard lock(nl_mu);
    BERTH_TRYV(nl->create_bridge(n.bridge, n.mtu));
    for (const auto& p : n.pools)
        if (p.gateway) BERTH_TRYV(nl->add_address(n.bridge, IpPrefix{*p.gateway, p.subnet.len}));
    BERTH_TRYV(nl->set_up(n.bridge));
    // The host reaches published ports on 127.0.0.1: DNATed packets with a loopback
    // source must be routable out of the bridge.
    BERTH_TRYV(write_sysctl(cat("net/ipv4/conf/", n.bridge, "/route_localnet"), "1"));
    return {};
}

Result<void> NetworkService::Impl::persist(const Network& n) const {
    return write_file_atomic(cat(networks_dir(cfg), "/", n.id, ".json"), n.to_disk().dump(2), 0600);
}

NetworkService::NetworkService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetworkService::~NetworkService() {
    // The DNS server's thread calls back into the tables: stop it first.
    if (impl_) impl_->dns.reset();
}

Result<std::unique_ptr<NetworkService>> NetworkService::open(NetworkConfig cfg) {
    auto impl = std::make_unique<Impl>();
    impl->cfg = std::move(cfg);
    auto& I = *impl;
    BERTH_TRYV(mkdir_p(networks_dir(I.cfg), 0700));
    I.nl = std::make_unique<Netlink>(BERTH_TRY(Netlink::open()));

    // The records.
    auto dir = BERTH_TRY(open_fd(networks_dir(I.cfg), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (const auto& file : BERTH_TRY(sorted_dir_names(dir.get()))) {
        if (!file.ends_with(".json")) continue;
        auto path = cat(networks_dir(I.cfg), "/", file);
        auto text = read_file(path);
        auto parsed = text ? parse_json(*text, path) : Result<Json>(std::unexpected(text.error()));
        auto n = parsed ? Network::from_disk(*parsed) : Result<Network>(std::unexpected(parsed.error()));
        if (!n) {
            log::warn(cat("skipping network record ", path, ": ", n.error().message));
            continue;
        }
        I.nets[n->id] = NetState{*n, AddressPool(*n)};
    }

    // The predefined networks.
    auto has = [&](const std::string& name) { return I.find_locked(name) != nullptr; };
    for (auto [name, driver] : {std::pair{"host", "host"}, std::pair{"none", "null"}}) {
        if (has(name)) continue;
        Network n;
        n.id = random_hex(32);
        n.name = name;
        n.driver = driver;
        n.created = rfc3339_now();
        BERTH_TRYV(I.persist(n));
        I.nets[n.id] = NetState{n, AddressPool(n)};
    }
    NetState* def = I.find_locked("bridge");
    if (I.cfg.default_bridge != "none") {
        Network n = def ? def->net : Network{};
        bool changed = !def;
        if (!def) {
            n.id = random_hex(32);
            n.name = "bridge";
            n.created = rfc3339_now();
            n.is_default = true;
        }
        // What inspect shows of the daemon's flags, as dockerd does.
        std::map<std::string, std::string> options = {
            {"com.docker.network.bridge.default_bridge", "true"},
            {"com.docker.network.bridge.enable_icc", I.cfg.icc ? "true" : "false"},
            {"com.docker.network.bridge.enable_ip_masquerade", I.cfg.ip_masquerade ? "true" : "false"},
            {"com.docker.network.bridge.host_binding_ipv4",
             I.cfg.default_bind_ip.empty() ? "0.0.0.0" : I.cfg.default_bind_ip},
            {"com.docker.network.bridge.name", I.cfg.default_bridge},
            {"com.docker.network.driver.mtu", std::to_string(I.cfg.mtu)}};
        changed = changed || options != n.options;
        n.options = options;
        if (n.bridge != I.cfg.default_bridge || n.mtu != I.cfg.mtu || n.icc != I.cfg.icc ||
            n.masquerade != I.cfg.ip_masquerade)
            changed = true;
        n.bridge = I.cfg.default_bridge;
        n.mtu = I.cfg.mtu;
        n.icc = I.cfg.icc;
        n.masquerade = I.cfg.ip_masquerade;
        // --bip, else the recorded subnet, else a free private range.
        std::optional<IpamPool> pool;
        if (!I.cfg.bip.empty()) {
            auto bip = BERTH_TRY(with_context(IpPrefix::parse(I.cfg.bip), "--bip"));
            pool = IpamPool{bip.network(), std::nullopt, bip.addr, {}};
            if (bip.addr == bip.network().addr) pool->gateway = bip.addr.plus(1);
        } else if (!n.pools.empty()) {
            pool = n.pools[0];
        } else {
            std::vector<IpPrefix> taken;
            {
                std::lock_guard lock(I.nl_mu);
                taken = BERTH_TRY(I.nl->routed_prefixes());
            }
            for (const auto& [id, s] : I.nets)
                for (const auto& p : s.net.pools) taken.push_back(p.subnet);
            auto subnet = free_subnet(taken);
            if (!subnet)
                return fail("no free private subnet for the default bridge: every candidate overlaps a route "
                            "of this host; choose one with --bip");
            pool = IpamPool{*subnet, std::nullopt, subnet->addr.plus(1), {}};
        }
        if (!I.cfg.fixed_cidr.empty())
            pool->ip_range = BERTH_TRY(with_context(IpPrefix::parse(I.cfg.fixed_cidr), "--fixed-cidr")).network();
        if (n.pools.empty() || n.pools[0].subnet != pool->subnet || n.pools[0].gateway != pool->gateway ||
            n.pools[0].ip_range != pool->ip_range) {
            changed = true;
            n.pools = {*pool};
        }
        if (changed) BERTH_TRYV(I.persist(n));
        I.nets[n.id] = NetState{n, AddressPool(n)};
    } else if (def) {
        // --bridge none: no default bridge network (its bridge, if any, stays: it
        // may carry containers of a previous run until they stop).
        ::unlink(cat(networks_dir(I.cfg), "/", def->net.id, ".json").c_str());
        I.nets.erase(def->net.id);
    }

    if (I.cfg.ip_forward) BERTH_TRYV(write_sysctl("net/ipv4/ip_forward", "1"));
    for (const auto& [id, s] : I.nets)
        if (s.net.driver == "bridge")
            BERTH_TRYV(with_context(I.make_bridge(s.net), cat("network ", s.net.name)));

    I.firewall = BERTH_TRY(Firewall::open(I.cfg.nft_table));
    BERTH_TRYV(I.firewall->sync(I.firewall_networks_locked(), {}));

    auto resolv = read_file(I.cfg.resolv_conf);
    I.host_upstream = DnsServer::nameservers_of(resolv ? *resolv : "");
    Impl* raw = impl.get();
    I.dns = BERTH_TRY(DnsServer::start(
        [raw](const std::string& id, const std::string& name, DnsType type) { return raw->lookup(id, name, type); },
        I.host_upstream));
    return std::unique_ptr<NetworkService>(new NetworkService(std::move(impl)));
}

Result<Network> NetworkService::create(const Json& body, std::string* warning) {
    auto& I = *impl_;
    if (!body.is_object()) return fail_as(ErrorKind::invalid_argument, "the request body must be a JSON object");
    Network n;
    n.name = string_field(body, "Name");
    if (n.name.empty()) return fail_as(ErrorKind::invalid_argument, "network name is required: give it a Name");
    if (!valid_name(n.name))
        return fail_as(ErrorKind::invalid_argument,
                       cat("invalid network name ", berth::quoted(n.name),
                           ": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
    n.driver = string_field(body, "Driver", "bridge");
    if (n.driver.empty()) n.driver = "bridge";
    if (n.driver == "host" || n.driver == "null")
        return fail_as(ErrorKind::invalid_argument,
                       cat("only one instance of \"", n.driver, "\" network is allowed"));
    if (n.driver != "bridge")
        return fail_as(ErrorKind::not_found, cat("plugin \"", n.driver, "\" not found: berth has the bridge driver"));
    if (BERTH_TRY(bool_field(body, "Ingress")))
        return fail_as(ErrorKind::invalid_argument, "ingress networks are a swarm feature berth does not have");
    n.internal = BERTH_TRY(bool_field(body, "Internal"));
    n.attachable = BERTH_TRY(bool_field(body, "Attachable"));
    n.enable_ipv6 = BERTH_TRY(bool_field(body, "EnableIPv6"));
    n.options = string_map(body.value("Options", Json::object()));
    n.labels = string_map(body.value("Labels", Json::object()));
    const Json ipam = body.value("IPAM", Json::object());
    if (ipam.is_object()) {
        n.ipam_driver = string_field(ipam, "Driver", "default");
        if (n.ipam_driver.empty()) n.ipam_driver = "default";
        n.ipam_options = string_map(ipam.value("Options", Json::object()));
        n.pools = BERTH_TRY(parse_pools(ipam.value("Config", Json(nullptr))));
    }
    if (n.ipam_driver != "default")
        return fail_as(ErrorKind::not_found, cat("plugin \"", n.ipam_driver, "\" not found: berth has the default IPAM driver"));
    n.mtu = I.cfg.mtu;
    BERTH_TRYV(apply_bridge_options(n));
    bool has6 = std::any_of(n.pools.begin(), n.pools.end(), [](const IpamPool& p) { return p.subnet.addr.v6; });
    if (has6 && !n.enable_ipv6)
        return fail_as(ErrorKind::invalid_argument, "an IPv6 subnet was given but IPv6 is not enabled: add --ipv6");
    if (n.enable_ipv6 && !has6)
        return fail_as(ErrorKind::invalid_argument,
                       "IPv6 is enabled but no IPv6 subnet was given: add --subnet with an IPv6 prefix (fd00:1::/64)");
    for (auto& p : n.pools)
        if (!p.gateway) p.gateway = p.subnet.addr.plus(1);

    std::lock_guard lock(I.mu);
    if (I.find_locked(n.name) && I.find_locked(n.name)->net.name == n.name)
        return fail_as(ErrorKind::conflict, cat("network with name ", n.name, " already exists"));
    std::vector<IpPrefix> taken;
    for (const auto& [id, s] : I.nets)
        for (const auto& p : s.net.pools) {
            for (const auto& mine : n.pools)
                if (mine.subnet.overlaps(p.subnet))
                    return fail_as(ErrorKind::conflict,
                                   cat("Pool overlaps with other one on this address space: ", mine.subnet.str(),
                                       " overlaps network ", s.net.name, "'s ", p.subnet.str()));
            taken.push_back(p.subnet);
        }
    if (!std::any_of(n.pools.begin(), n.pools.end(), [](const IpamPool& p) { return !p.subnet.addr.v6; })) {
        {
            std::lock_guard nl_lock(I.nl_mu);
            auto routed = BERTH_TRY(I.nl->routed_prefixes());
            taken.insert(taken.end(), routed.begin(), routed.end());
        }
        auto subnet = free_subnet(taken);
        if (!subnet)
            return fail_as(ErrorKind::conflict,
                           "could not find an available, non-overlapping IPv4 address pool among the defaults "
                           "to assign to the network: give one with --subnet");
        n.pools.insert(n.pools.begin(), IpamPool{*subnet, std::nullopt, subnet->addr.plus(1), {}});
    }
    n.id = random_hex(32);
    n.created = rfc3339_now();
    if (n.bridge.empty()) n.bridge = "br-" + n.id.substr(0, 12);
    for (const auto& [id, s] : I.nets)
        if (s.net.bridge == n.bridge)
            return fail_as(ErrorKind::conflict, cat("bridge ", n.bridge, " is already used by network ", s.net.name));

    if (auto r = I.make_bridge(n); !r) {
        std::lock_guard nl_lock(I.nl_mu);
        (void)I.nl->delete_link(n.bridge);
        return std::unexpected(std::move(r.error()).context(cat("creating network ", n.name)));
    }
    if (n.enable_ipv6) (void)write_sysctl("net/ipv6/conf/all/forwarding", "1");
    if (auto r = I.persist(n); !r) {
        std::lock_guard nl_lock(I.nl_mu);
        (void)I.nl->delete_link(n.bridge);
        return std::unexpected(r.error());
    }
    I.nets[n.id] = NetState{n, AddressPool(n)};
    if (auto r = I.firewall->sync(I.firewall_networks_locked(), I.mappings_locked()); !r) {
        // Without its rules the network would be neither isolated nor NATed: undo it.
        I.nets.erase(n.id);
        ::unlink(cat(networks_dir(I.cfg), "/", n.id, ".json").c_str());
        {
            std::lock_guard nl_lock(I.nl_mu);
            (void)I.nl->delete_link(n.bridge);
        }
        (void)I.firewall->sync(I.firewall_networks_locked(), I.mappings_locked());
        return std::unexpected(std::move(r.error()).context(cat("creating network ", n.name)));
    }
    if (warning) warning->clear();
    return n;
}

Result<Network> NetworkService::get(const std::string& ref) const {
    std::lock_guard lock(impl_->mu);
    auto* s = impl_->find_locked(ref);
    if (!s) return fail_as(ErrorKind::not_found, cat("network ", ref, " not found"));
    return s->net;
}

std::vector<Network> NetworkService::list() const {
    std::lock_guard lock(impl_->mu);
    std::vector<Network> out;
    for (const auto& [id, s] : impl_->nets) out.push_back(s.net);
    return out;
}

Result<void> NetworkService::remove(const std::string& ref) {
    auto& I = *impl_;
    std::lock_guard lock(I.mu);
    auto* s = I.find_locked(ref);
    if (!s) return fail_as(ErrorKind::not_found, cat("network ", ref, " not found"));
    Network n = s->net;
    if (n.predefined())
        return fail_as(ErrorKind::conflict, cat(n.name, " is a pre-defined network and cannot be removed"));
    for (const auto& [cid, l] : I.live)
        for (const auto& e : l.endpoints)
            if (e.network_id == n.id)
                return fail_as(ErrorKind::conflict,
                               cat("error while removing network: network ", n.name, " id ", n.id,
                                   " has active endpoints (container ", l.name, ")"));
    if (::unlink(cat(networks_dir(I.cfg), "/", n.id, ".json").c_str()) != 0 && errno != ENOENT)
        return sys_fail(cat("removing network ", n.name, "'s record"));
    I.nets.erase(n.id);
    {
        std::lock_guard nl_lock(I.nl_mu);
        if (auto r = I.nl->delete_link(n.bridge); !r) log::warn(cat("network ", n.name, ": ", r.error().message));
    }
    if (auto r = I.firewall->sync(I.firewall_networks_locked(), I.mappings_locked()); !r)
        log::warn(cat("network ", n.name, ": ", r.error().message));
    return {};
}

std::vector<std::string> NetworkService::prune(const std::function<bool(const Network&)>& keep) {
    std::vector<std::string> candidates;
    {
        std::lock_guard lock(impl_->mu);
        for (const auto& [id, s] : impl_->nets) {
            if (s.net.predefined() || keep(s.net)) continue;
            bool used = false;
            for (const auto& [cid, l] : impl_->live)
                for (const auto& e : l.endpoints) used = used || e.network_id == id;
            if (!used) candidates.push_back(id);
        }
    }
    std::vector<std::string> removed;
    for (const auto& id : candidates) {
        auto n = get(id);
        if (n && remove(id)) removed.push_back(n->name);
    }
    return removed;
}

std::map<std::string, Endpoint> NetworkService::endpoints_of(const std::string& network_id) const {
    std::lock_guard lock(impl_->mu);
    std::map<std::string, Endpoint> out;
    for (const auto& [cid, l] : impl_->live)
        for (const auto& e : l.endpoints)
            if (e.network_id == network_id) out[cid] = e;
    return out;
}

std::string NetworkService::container_name(const std::string& container_id) const {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->live.find(container_id);
    return it == impl_->live.end() ? "" : it->second.name;
}

Result<void> NetworkService::sync_firewall() {
    std::lock_guard lock(impl_->mu);
    return impl_->firewall->sync(impl_->firewall_networks_locked(), impl_->mappings_locked());
}

void NetworkService::rename(const std::string& container_id, const std::string& new_name) {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->live.find(container_id); it != impl_->live.end()) it->second.name = new_name;
}

std::optional<IpAddress> NetworkService::host_gateway() const {
    std::lock_guard lock(impl_->mu);
    return impl_->host_gateway_locked();
}

}  // namespace berth::network

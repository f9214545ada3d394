// A container's place in the networks: its endpoints recorded at create, the
// sandbox request a start hands to the network service, addresses forgotten at
// exit, and network connect / disconnect.
#include <algorithm>

#include "base/log.hpp"
#include "base/text.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "engine/daemon.hpp"
#include "network/port_bindings.hpp"

namespace berth::engine {

namespace {

std::vector<std::string> strings_of(const Json& h, const char* key) {
    std::vector<std::string> out;
    if (auto it = h.find(key); it != h.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// Config.MacAddress (--mac-address), "" when unset.
std::string configured_mac(const ContainerSettings& s) {
    auto it = s.config.find("MacAddress");
    return it != s.config.end() && it->is_string() ? it->get<std::string>() : "";
}

// The network NetworkMode names ("" for container:<x>).
std::string primary_network(const ContainerSettings& s) {
    const auto& mode = s.network_mode;
    if (mode.empty() || mode == "default") return "bridge";
    if (mode.starts_with("container:")) return "";
    return mode;
}

}  // namespace


Result<std::vector<std::string>> ContainerService::init_networks(Container& c) {
    std::vector<std::string> warnings;
    c.networks = Json::object();
    auto primary = primary_network(c.settings);
    Json endpoints = Json::object();
    if (c.settings.networking_config.is_object())
        endpoints = c.settings.networking_config.value("EndpointsConfig", Json::object());
    if (!endpoints.is_object()) endpoints = Json::object();
    if (primary.empty()) {
        auto target = c.settings.network_mode.substr(std::string_view("container:").size());
        BERTH_TRYV(resolve(target));
        return warnings;
    }
    auto primary_net = BERTH_TRY(d_.networks().get(primary));
    bool single = primary_net.driver == "host" || primary_net.driver == "null";
    if (single) {
        if (endpoints.size() > 1 || (endpoints.size() == 1 && !endpoints.contains(primary_net.name) &&
                                     !endpoints.contains(primary)))
            return fail_as(ErrorKind::invalid_argument,
                           cat("container cannot be connected to multiple networks with one of the networks in ",
                               primary_net.driver == "host" ? "host" : "private (none)", " mode"));
        if (primary_net.driver == "host" && c.settings.host_config.value("PortBindings", Json::object()).size() > 0)
            warnings.push_back("Published ports are discarded when using host network mode");
    }
    auto add = [&](const network::Network& n, const Json& settings) -> Result<void> {
        network::Endpoint e;
        e.network_id = n.id;
        e.network_name = n.name;
        e.config = BERTH_TRY(network::EndpointConfig::from_json(settings));
        if (n.is_default && (e.config.ipv4 || e.config.ipv6))
            return fail_as(ErrorKind::invalid_argument,
                           "user specified IP address is supported on user defined networks only");
        if (n.is_default && !e.config.aliases.empty())
            return fail_as(ErrorKind::invalid_argument,
                           "network-scoped alias is supported only for containers in user defined networks");
        c.networks[n.name] = e.to_json();
        return {};
    };
    // The CLI keys the primary network's settings by what --network said
    // ("default" included).
    const auto& mode = c.settings.network_mode;
    auto is_primary = [&](const std::string& key) { return key == primary || key == primary_net.name || key == mode; };
    Json primary_settings = nullptr;
    for (const auto& [name, settings] : endpoints.items())
        if (is_primary(name)) primary_settings = settings;
    // API 1.41 carries --mac-address in Config: it is the primary endpoint's.
    if (auto mac = configured_mac(c.settings); !mac.empty()) {
        if (!primary_settings.is_object()) primary_settings = Json::object();
        auto it = primary_settings.find("MacAddress");
        if (it == primary_settings.end() || !it->is_string() || it->get<std::string>().empty())
            primary_settings["MacAddress"] = mac;
    }
    BERTH_TRYV(add(primary_net, primary_settings));
    for (const auto& [name, settings] : endpoints.items()) {
        if (is_primary(name)) continue;
        auto n = BERTH_TRY(d_.networks().get(name));
        BERTH_TRYV(add(n, settings));
    }
    // A bad port spec is the create's error, not the start's.
    BERTH_TRYV(network::port_requests(c.settings.host_config.value("PortBindings", Json::object()),
                                      c.settings.config.value("ExposedPorts", Json::object()), false));
    return warnings;
}

// The key of the primary network in c.networks: its name, whatever the mode says.
std::string ContainerService::primary_name(const Container& c) {
    auto primary = primary_network(c.settings);
    if (primary.empty()) return primary;
    auto n = d_.networks().get(primary);
    return n ? n->name : primary;
}

network::SandboxRequest ContainerService::sandbox_request(const Container& c) {
    network::SandboxRequest r;
    const auto& h = c.settings.host_config;
    r.container_id = c.id;
    r.container_name = c.name;
    r.hostname = c.settings.hostname;
    r.domainname = c.settings.domainname;
    r.network_mode = c.settings.network_mode;
    // The primary network first: its address is the one published ports and
    // /etc/hosts use.
    auto primary = primary_name(c);
    std::vector<std::string> names;
    if (c.networks.contains(primary)) names.push_back(primary);
    for (const auto& [name, _] : c.networks.items())
        if (name != primary) names.push_back(name);
    for (const auto& name : names) {
        auto n = d_.networks().get(name);
        if (n && (n->driver == "host" || n->driver == "null")) continue;
        auto cfg = network::EndpointConfig::from_json(c.networks[name]);
        r.networks.emplace_back(name, cfg ? *cfg : network::EndpointConfig{});
    }
    r.port_bindings = h.value("PortBindings", Json::object());
    r.exposed_ports = c.settings.config.value("ExposedPorts", Json::object());
    r.publish_all = h.value("PublishAllPorts", false);
    r.dns = strings_of(h, "Dns");
    r.dns_search = strings_of(h, "DnsSearch");
    r.dns_options = strings_of(h, "DnsOptions");
    r.extra_hosts = strings_of(h, "ExtraHosts");
    r.links = strings_of(h, "Links");
    r.link_address = [this](const std::string& ref) -> std::optional<std::string> {
        auto target = get(ref);
        if (!target || !target->state.running()) return std::nullopt;
        for (const auto& [name, ep] : target->networks.items())
            if (auto ip = ep.value("IPAddress", ""); !ip.empty()) return ip;
        return std::nullopt;
    };
    return r;
}

void ContainerService::record_sandbox(Container& c, const std::vector<network::Endpoint>& endpoints,
                                      const std::vector<network::PublishedPort>& ports) {
    for (const auto& e : endpoints) c.networks[e.network_name] = e.to_json();
    c.ports = network::ports_json(ports);
}

void ContainerService::publish_network_events(const Container& c, const std::string& action) {
    for (const auto& [name, ep] : c.networks.items()) {
        if (ep.value("EndpointID", "").empty()) continue;
        if (auto n = d_.networks().get(ep.value("NetworkID", name))) d_.events().publish(network_event(*n, action, c.id));
    }
}

void ContainerService::forget_addresses(Container& c) {
    // What the user asked (IPAMConfig, aliases, links) stays for the next start.
    for (auto& [name, ep] : c.networks.items()) {
        network::Endpoint e;
        e.network_id = ep.value("NetworkID", "");
        e.network_name = name;
        if (auto cfg = network::EndpointConfig::from_json(ep)) e.config = *cfg;
        // The implicit short-ID alias comes back at the next start, and so does a
        // MAC derived from the next address (unless --mac-address set it).
        std::erase(e.config.aliases, c.id.substr(0, 12));
        if (e.config.mac && e.config.mac->str() != configured_mac(c.settings))
            e.config.mac.reset();
        ep = e.to_json();
    }
    c.ports = Json::object();
}

Result<void> ContainerService::restore_sandbox(const Container& c) {
    std::vector<network::Endpoint> endpoints;
    auto primary = primary_name(c);
    for (const auto& [name, ep] : c.networks.items()) {
        auto e = network::Endpoint::from_json(name, ep);
        if (!e) continue;
        if (name == primary)
            endpoints.insert(endpoints.begin(), std::move(*e));
        else
            endpoints.push_back(std::move(*e));
    }
    return d_.networks().restore(sandbox_request(c), c.state.pid, endpoints, network::ports_from_json(c.ports));
}

Result<void> ContainerService::connect(const std::string& ref, const std::string& network_ref,
                                       const Json& endpoint_config) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    auto cfg = BERTH_TRY(network::EndpointConfig::from_json(endpoint_config));
    auto n = BERTH_TRY(d_.networks().get(network_ref));
    Container c;
    {
        std::lock_guard lock(mu_);
        c = e->c;
    }
    auto primary = primary_network(c.settings);
    if (n.driver == "host" || n.driver == "null" || primary.empty() || primary == "host" || primary == "none")
        return fail_as(ErrorKind::invalid_argument,
                       n.driver == "host" || primary == "host"
                           ? "container cannot be disconnected from host network or connected to host network"
                           : "container cannot be connected to multiple networks with one of the networks in "
                             "private (none) mode");
    if (n.is_default && (cfg.ipv4 || cfg.ipv6))
        return fail_as(ErrorKind::invalid_argument, "user specified IP address is supported on user defined networks only");
    if (c.networks.contains(n.name) && !(c.state.running() && c.networks[n.name].value("EndpointID", "").empty()))
        return fail_as(ErrorKind::conflict, cat("endpoint with name ", c.name, " already exists in network ", n.name));
    network::Endpoint ep;
    ep.network_id = n.id;
    ep.network_name = n.name;
    ep.config = cfg;
    if (c.state.running()) {
        ep = BERTH_TRY(d_.networks().connect(c.id, c.state.pid, n.id, cfg));
        d_.events().publish(network_event(n, "connect", c.id));
    }
    std::lock_guard lock(mu_);
    e->c.networks[n.name] = ep.to_json();
    BERTH_TRYV(persist_locked(e->c));
    return {};
}

Result<void> ContainerService::disconnect(const std::string& ref, const std::string& network_ref, bool force) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    auto n = d_.networks().get(network_ref);
    Container c;
    {
        std::lock_guard lock(mu_);
        c = e->c;
    }
    if (!n && !force) return std::unexpected(n.error());
    std::string name = n ? n->name : network_ref;
    if (n && n->driver == "host")
        return fail_as(ErrorKind::invalid_argument,
                       "container cannot be disconnected from host network or connected to host network");
    if (!c.networks.contains(name))
        return fail_as(ErrorKind::conflict, cat("container ", c.id, " is not connected to network ", name));
    if (c.state.running() && n) {
        if (auto r = d_.networks().disconnect(c.id, n->id); !r && !force) return std::unexpected(r.error());
        d_.events().publish(network_event(*n, "disconnect", c.id));
    }
    std::lock_guard lock(mu_);
    e->c.networks.erase(name);
    BERTH_TRYV(persist_locked(e->c));
    return {};
}

}  // namespace berth::engine

#include "cli/berth/network_requests.hpp"

#include <optional>

#include "base/strings.hpp"
#include "cli/berth/container_opts.hpp"
#include "cli/flags/flag_builders.hpp"
#include "network/ip_address.hpp"

namespace berth::cli {
namespace {

using flag::boolean, flag::list, flag::str;

// docker's subnetMatches: whether `data` (an address, or the address of a CIDR)
// lies in `subnet`. An address that does not parse lies nowhere.
Result<bool> subnet_matches(const std::string& subnet, const std::string& data) {
    if (subnet.find('/') == std::string::npos) return fail("invalid subnet: invalid CIDR address: " + subnet);
    auto net = network::IpPrefix::parse(subnet);
    if (!net) return fail("invalid subnet: invalid CIDR address: " + subnet);
    std::optional<network::IpAddress> addr;
    if (data.find('/') != std::string::npos) {
        auto d = network::IpPrefix::parse(data);
        if (!d) return fail("invalid CIDR address: " + data);
        addr = d->addr;
    } else if (auto a = network::IpAddress::parse(data)) {
        addr = *a;
    }
    return addr && net->contains(*addr);
}

// pflag's StringSlice: every value split at commas.
std::vector<std::string> comma_list(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values)
        if (!v.empty())
            for (auto& part : split(v, ',')) out.push_back(std::move(part));
    return out;
}

// docker's MapOpts: "k=v", a bare "k" maps to "".
std::pair<std::string, std::string> key_value(const std::string& text) {
    auto eq = text.find('=');
    if (eq == std::string::npos) return {text, ""};
    return {text.substr(0, eq), text.substr(eq + 1)};
}

Json pool_json(const IpamPoolFlags& p) {
    Json j = {{"Subnet", p.subnet}};
    if (!p.ip_range.empty()) j["IPRange"] = p.ip_range;
    if (!p.gateway.empty()) j["Gateway"] = p.gateway;
    if (!p.aux.empty()) j["AuxiliaryAddresses"] = p.aux;
    return j;
}

// The subnet holding each of `items`, set through `field` (a range or a gateway):
// one per subnet, and every item must find one.
Result<void> assign_to_subnets(std::vector<IpamPoolFlags>& pools,
                               const std::vector<std::string>& subnets,
                               const std::vector<std::string>& items,
                               std::string IpamPoolFlags::*field, std::string_view what_many,
                               std::string_view what_one) {
    for (const auto& item : items) {
        bool match = false;
        for (std::size_t i = 0; i < subnets.size(); ++i) {
            if (!BERTH_TRY(subnet_matches(subnets[i], item))) continue;
            auto& pool = pools[i];
            if (!(pool.*field).empty())
                return fail("cannot configure multiple " + std::string(what_many) + " (" + item +
                            ", " + pool.*field + ") " +
                            (field == &IpamPoolFlags::ip_range ? "on" : "for") +
                            " the same subnet (" + subnets[i] + ")");
            pool.*field = item;
            match = true;
        }
        if (!match) return fail("no matching subnet for " + std::string(what_one) + " " + item);
    }
    return {};
}

}  // namespace

bool is_user_defined_network(const std::string& mode) {
    return mode != "default" && mode != "bridge" && mode != "host" && mode != "none" &&
           !mode.starts_with("container:");
}

Result<std::vector<IpamPoolFlags>> consolidate_ipam(
    const std::vector<std::string>& subnets, const std::vector<std::string>& ranges,
    const std::vector<std::string>& gateways,
    const std::vector<std::pair<std::string, std::string>>& aux) {
    if (subnets.size() < ranges.size() || subnets.size() < gateways.size())
        return fail("every ip-range or gateway must have a corresponding subnet");
    std::vector<IpamPoolFlags> pools;
    for (const auto& s : subnets) {
        for (const auto& earlier : pools)
            if (BERTH_TRY(subnet_matches(s, earlier.subnet)) ||
                BERTH_TRY(subnet_matches(earlier.subnet, s)))
                return fail("multiple overlapping subnet configuration is not supported");
        pools.push_back({.subnet = s});
    }
    BERTH_TRYV(
        assign_to_subnets(pools, subnets, ranges, &IpamPoolFlags::ip_range, "ranges", "range"));
    BERTH_TRYV(assign_to_subnets(pools, subnets, gateways, &IpamPoolFlags::gateway, "gateways",
                                 "gateway"));
    for (const auto& [name, addr] : aux) {
        bool match = false;
        for (std::size_t i = 0; i < subnets.size(); ++i) {
            if (!BERTH_TRY(subnet_matches(subnets[i], addr))) continue;
            pools[i].aux[name] = addr;
            match = true;
        }
        if (!match) return fail("no matching subnet for aux-address " + addr);
    }
    return pools;
}

std::vector<FlagDef> network_create_flags() {
    return {
        list("aux-address", "Auxiliary IPv4 or IPv6 addresses used by Network driver", 0, "map",
             "map[]"),
        boolean("attachable", "Enable manual container attachment"),
        str("config-from", "The network from which to copy the configuration"),
        boolean("config-only", "Create a configuration only network"),
        str("driver", "Driver to manage the Network", 'd', "bridge"),
        list("gateway", "IPv4 or IPv6 Gateway for the master subnet", 0, "strings"),
        boolean("ingress", "Create swarm routing-mesh network"),
        boolean("internal", "Restrict external access to the network"),
        list("ip-range", "Allocate container ip from a sub-range", 0, "strings"),
        str("ipam-driver", "IP Address Management Driver", 0, "default"),
        list("ipam-opt", "Set IPAM driver specific options", 0, "map", "map[]"),
        boolean("ipv6", "Enable IPv6 networking"),
        list("label", "Set metadata on a network", 0, "list"),
        list("opt", "Set driver specific options", 'o', "map", "map[]"),
        str("scope", "Control the network's scope"),
        list("subnet", "Subnet in CIDR format that represents a network segment", 0, "strings"),
    };
}

Result<void> check_network_create_flags(const ParsedFlags& flags) {
    // docker 20.10's ValidateLabel: a label is key=value.
    for (const auto& l : flags.list("label"))
        if (l.find('=') == std::string::npos)
            return fail("invalid argument \"" + l +
                        "\" for \"--label\" flag: bad attribute format: " + l);
    return {};
}

Result<Json> network_create_body(const ParsedFlags& f) {
    if (f.args.empty()) return fail("no network name given");
    std::vector<std::pair<std::string, std::string>> aux;
    for (const auto& a : f.list("aux-address")) aux.push_back(key_value(a));
    auto pools =
        BERTH_TRY(consolidate_ipam(comma_list(f.list("subnet")), comma_list(f.list("ip-range")),
                                   comma_list(f.list("gateway")), aux));
    Json config = Json::array();
    for (const auto& p : pools) config.push_back(pool_json(p));
    Json body = {
        {"Name", f.args[0]},
        {"CheckDuplicate", true},
        {"Driver", f.has("driver") ? f.value("driver") : "bridge"},
        {"Scope", f.value("scope")},
        {"EnableIPv6", f.enabled("ipv6")},
        {"IPAM",
         {{"Driver", f.has("ipam-driver") ? f.value("ipam-driver") : "default"},
          {"Config", config},
          {"Options", key_values_to_object(f.list("ipam-opt"))}}},
        {"Internal", f.enabled("internal")},
        {"Attachable", f.enabled("attachable")},
        {"Ingress", f.enabled("ingress")},
        {"ConfigOnly", f.enabled("config-only")},
        {"ConfigFrom", nullptr},
        {"Options", key_values_to_object(f.list("opt"))},
        {"Labels", key_values_to_object(f.list("label"))},
    };
    if (!f.value("config-from").empty()) body["ConfigFrom"] = {{"Network", f.value("config-from")}};
    return body;
}

Json endpoint_settings_json(const EndpointRequest& e) {
    Json ipam = Json::object();
    if (!e.ipv4.empty()) ipam["IPv4Address"] = e.ipv4;
    if (!e.ipv6.empty()) ipam["IPv6Address"] = e.ipv6;
    if (!e.link_local_ips.empty()) ipam["LinkLocalIPs"] = e.link_local_ips;
    bool has_ipam = e.ipam_always || !ipam.empty();
    bool has_opts = e.driver_opts_always || !e.driver_opts.empty();
    // Go's EndpointSettings: no field is omitted; nil slices and maps are null.
    return {
        {"IPAMConfig", has_ipam ? ipam : Json(nullptr)},
        {"Links", e.links.empty() ? Json(nullptr) : Json(e.links)},
        {"Aliases", e.aliases.empty() ? Json(nullptr) : Json(e.aliases)},
        {"NetworkID", ""},
        {"EndpointID", ""},
        {"Gateway", ""},
        {"IPAddress", ""},
        {"IPPrefixLen", 0},
        {"IPv6Gateway", ""},
        {"GlobalIPv6Address", ""},
        {"GlobalIPv6PrefixLen", 0},
        {"MacAddress", ""},
        {"DriverOpts", has_opts ? Json(e.driver_opts) : Json(nullptr)},
    };
}

std::vector<FlagDef> network_connect_flags() {
    return {
        list("alias", "Add network-scoped alias for the container", 0, "strings"),
        list("driver-opt", "driver options for the network", 0, "strings"),
        str("ip", "IPv4 address (e.g., 172.30.100.104)"),
        str("ip6", "IPv6 address (e.g., 2001:db8::33)"),
        list("link", "Add link to another container", 0, "list"),
        list("link-local-ip", "Add a link-local address for the container", 0, "strings"),
    };
}

Result<Json> network_connect_body(const ParsedFlags& f) {
    if (f.args.size() < 2) return fail("network and container required");
    EndpointRequest e{.ipv4 = f.value("ip"),
                      .ipv6 = f.value("ip6"),
                      .link_local_ips = comma_list(f.list("link-local-ip")),
                      .aliases = comma_list(f.list("alias")),
                      .links = f.list("link"),
                      .ipam_always = true,
                      .driver_opts_always = true};
    for (const auto& opt : comma_list(f.list("driver-opt"))) {
        auto eq = opt.find('=');
        if (eq == std::string::npos) return fail("invalid key value pair format in driver options");
        e.driver_opts[std::string(trim(opt.substr(0, eq)))] = std::string(trim(opt.substr(eq + 1)));
    }
    Json endpoint = endpoint_settings_json(e);
    // An empty --alias list is [] in docker's request (a StringSlice's default).
    if (endpoint["Aliases"].is_null()) endpoint["Aliases"] = Json::array();
    return Json{{"Container", f.args[1]}, {"EndpointConfig", endpoint}};
}

}  // namespace berth::cli

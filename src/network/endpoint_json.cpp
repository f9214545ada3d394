// EndpointConfig and Endpoint as Docker's EndpointSettings JSON.
#include "base/text.hpp"
#include "network/network_service.hpp"

namespace berth::network {

namespace {

std::vector<std::string> string_list(const Json& j, const char* key) {
    std::vector<std::string> out;
    if (auto it = j.find(key); it != j.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

Json list_or_null(const std::vector<std::string>& v) { return v.empty() ? Json(nullptr) : Json(v); }

}  // namespace

Result<EndpointConfig> EndpointConfig::from_json(const Json& j) {
    EndpointConfig c;
    if (j.is_null()) return c;
    if (!j.is_object()) return fail_as(ErrorKind::invalid_argument, "endpoint settings must be a JSON object");
    if (auto it = j.find("IPAMConfig"); it != j.end() && it->is_object()) {
        if (auto v4 = it->value("IPv4Address", ""); !v4.empty()) {
            c.ipv4 = BERTH_TRY(IpAddress::parse(v4));
            if (c.ipv4->v6) return fail_as(ErrorKind::invalid_argument, cat("invalid IPv4 address: ", v4));
        }
        if (auto v6 = it->value("IPv6Address", ""); !v6.empty()) {
            c.ipv6 = BERTH_TRY(IpAddress::parse(v6));
            if (!c.ipv6->v6) return fail_as(ErrorKind::invalid_argument, cat("invalid IPv6 address: ", v6));
        }
    }
    c.aliases = string_list(j, "Aliases");
    c.links = string_list(j, "Links");
    if (auto mac = j.value("MacAddress", ""); !mac.empty()) c.mac = BERTH_TRY(MacAddress::parse(mac));
    return c;
}

Json Endpoint::to_json() const {
    Json ipam = nullptr;
    if (config.ipv4 || config.ipv6)
        ipam = {{"IPv4Address", config.ipv4 ? config.ipv4->str() : ""},
                {"IPv6Address", config.ipv6 ? config.ipv6->str() : ""}};
    return {
        {"IPAMConfig", ipam},
        {"Links", list_or_null(config.links)},
        {"Aliases", list_or_null(config.aliases)},
        {"NetworkID", network_id},
        {"EndpointID", endpoint_id},
        {"Gateway", gateway4 ? gateway4->str() : ""},
        {"IPAddress", ipv4 ? ipv4->addr.str() : ""},
        {"IPPrefixLen", ipv4 ? ipv4->len : 0},
        {"IPv6Gateway", gateway6 ? gateway6->str() : ""},
        {"GlobalIPv6Address", ipv6 ? ipv6->addr.str() : ""},
        {"GlobalIPv6PrefixLen", ipv6 ? ipv6->len : 0},
        // Planned: the address in use; not yet: the one the user asked for, if any.
        {"MacAddress", !endpoint_id.empty() ? mac.str() : config.mac ? config.mac->str() : ""},
        {"DriverOpts", nullptr},
    };
}

Result<Endpoint> Endpoint::from_json(const std::string& network_name, const Json& j) {
    Endpoint e;
    e.network_name = network_name;
    e.config = BERTH_TRY(EndpointConfig::from_json(j));
    e.network_id = j.value("NetworkID", "");
    e.endpoint_id = j.value("EndpointID", "");
    if (auto a = j.value("IPAddress", ""); !a.empty())
        e.ipv4 = IpPrefix{BERTH_TRY(IpAddress::parse(a)), j.value("IPPrefixLen", 32)};
    if (auto a = j.value("GlobalIPv6Address", ""); !a.empty())
        e.ipv6 = IpPrefix{BERTH_TRY(IpAddress::parse(a)), j.value("GlobalIPv6PrefixLen", 128)};
    if (auto g = j.value("Gateway", ""); !g.empty()) e.gateway4 = BERTH_TRY(IpAddress::parse(g));
    if (auto g = j.value("IPv6Gateway", ""); !g.empty()) e.gateway6 = BERTH_TRY(IpAddress::parse(g));
    if (auto m = j.value("MacAddress", ""); !m.empty()) e.mac = BERTH_TRY(MacAddress::parse(m));
    if (!e.endpoint_id.empty()) e.host_veth = "veth" + e.endpoint_id.substr(0, 7);
    return e;
}

}  // namespace berth::network

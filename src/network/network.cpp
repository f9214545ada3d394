#include "network/network.hpp"

#include "base/text.hpp"

namespace berth::network {

namespace {

Json pool_to_json(const IpamPool& p) {
    Json aux = Json::object();
    for (const auto& [k, v] : p.aux) aux[k] = v.str();
    return {{"Subnet", p.subnet.str()},
            {"IPRange", p.ip_range ? p.ip_range->str() : ""},
            {"Gateway", p.gateway ? p.gateway->str() : ""},
            {"AuxiliaryAddresses", aux}};
}

Result<IpamPool> pool_from_json(const Json& j) {
    IpamPool p;
    p.subnet = BERTH_TRY(IpPrefix::parse(j.at("Subnet").get<std::string>()));
    if (auto r = j.value("IPRange", ""); !r.empty()) p.ip_range = BERTH_TRY(IpPrefix::parse(r));
    if (auto g = j.value("Gateway", ""); !g.empty()) p.gateway = BERTH_TRY(IpAddress::parse(g));
    if (auto it = j.find("AuxiliaryAddresses"); it != j.end() && it->is_object())
        for (const auto& [k, v] : it->items()) p.aux[k] = BERTH_TRY(IpAddress::parse(v.get<std::string>()));
    return p;
}

}  // namespace

Json Network::to_disk() const {
    Json pools_json = Json::array();
    for (const auto& p : pools) pools_json.push_back(pool_to_json(p));
    return {
        {"Id", id},
        {"Name", name},
        {"Driver", driver},
        {"Scope", scope},
        {"Created", created},
        {"Internal", internal},
        {"Attachable", attachable},
        {"EnableIPv6", enable_ipv6},
        {"IPAM", {{"Driver", ipam_driver}, {"Options", ipam_options}, {"Config", pools_json}}},
        {"Options", options},
        {"Labels", labels},
        {"Bridge", bridge},
        {"ICC", icc},
        {"Masquerade", masquerade},
        {"MTU", mtu},
        {"HostBinding", host_binding ? host_binding->str() : ""},
        {"Default", is_default},
    };
}

Result<Network> Network::from_disk(const Json& j) {
    try {
        Network n;
        n.id = j.at("Id").get<std::string>();
        n.name = j.at("Name").get<std::string>();
        n.driver = j.value("Driver", "bridge");
        n.scope = j.value("Scope", "local");
        n.created = j.value("Created", "");
        n.internal = j.value("Internal", false);
        n.attachable = j.value("Attachable", false);
        n.enable_ipv6 = j.value("EnableIPv6", false);
        const auto& ipam = j.at("IPAM");
        n.ipam_driver = ipam.value("Driver", "default");
        n.ipam_options = ipam.value("Options", std::map<std::string, std::string>{});
        for (const auto& p : ipam.at("Config")) n.pools.push_back(BERTH_TRY(pool_from_json(p)));
        n.options = j.value("Options", std::map<std::string, std::string>{});
        n.labels = j.value("Labels", std::map<std::string, std::string>{});
        n.bridge = j.value("Bridge", "");
        n.icc = j.value("ICC", true);
        n.masquerade = j.value("Masquerade", true);
        n.mtu = j.value("MTU", 1500);
        if (auto h = j.value("HostBinding", ""); !h.empty()) n.host_binding = BERTH_TRY(IpAddress::parse(h));
        n.is_default = j.value("Default", false);
        return n;
    } catch (const Json::exception& e) {
        return fail(cat("malformed network record: ", e.what()));
    }
}

}  // namespace berth::network

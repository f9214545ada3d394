#include "api/network_json.hpp"

#include <time.h>

#include <algorithm>
#include <regex>
#include <set>

#include "base/text.hpp"
#include "base/time.hpp"
#include "engine/events.hpp"
#include "cli/berth/time_text.hpp"

namespace berth::api {

using network::Endpoint;
using network::IpamPool;
using network::Network;

namespace {

Json string_map(const std::map<std::string, std::string>& m) {
    Json j = Json::object();
    for (const auto& [k, v] : m) j[k] = v;
    return j;
}

// One IPAM.Config entry; Go's IPAMConfig omits what is empty.
nlohmann::ordered_json pool_json(const IpamPool& p) {
    nlohmann::ordered_json j = {{"Subnet", p.subnet.str()}};
    if (p.ip_range) j["IPRange"] = p.ip_range->str();
    if (p.gateway) j["Gateway"] = p.gateway->str();
    if (!p.aux.empty()) {
        Json aux = Json::object();
        for (const auto& [name, addr] : p.aux) aux[name] = addr.str();
        j["AuxiliaryAddresses"] = aux;
    }
    return j;
}

nlohmann::ordered_json ipam_json(const Network& n) {
    nlohmann::ordered_json config = nlohmann::ordered_json::array();
    for (const auto& p : n.pools) config.push_back(pool_json(p));
    // dockerd's predefined networks carry no IPAM options (null); a created one
    // has the map the client sent ({} from the docker CLI).
    Json options =
        n.ipam_options.empty() && n.predefined() ? Json(nullptr) : string_map(n.ipam_options);
    return {{"Driver", n.ipam_driver}, {"Options", options}, {"Config", config}};
}

nlohmann::ordered_json attached_container_json(const std::string& name, const Endpoint& e) {
    return {{"Name", name},
            {"EndpointID", e.endpoint_id},
            {"MacAddress", e.mac.str()},
            {"IPv4Address", e.ipv4 ? e.ipv4->str() : ""},
            {"IPv6Address", e.ipv6 ? e.ipv6->str() : ""}};
}

// Docker's filters.Args.Match: equal, or the value as a regular expression found
// anywhere in the text.
bool go_match(const std::vector<std::string>& patterns, const std::string& text) {
    for (const auto& p : patterns) {
        if (p == text) return true;
        try {
            if (std::regex_search(text, std::regex(p))) return true;
        } catch (const std::regex_error&) {
            // Go skips a pattern that does not compile.
        }
    }
    return false;
}

bool any_equal(const std::vector<std::string>& wanted, const std::string& v) {
    return std::find(wanted.begin(), wanted.end(), v) != wanted.end();
}

// The list's and the prune's predefined test: by record or by reserved name.
bool builtin(const Network& n) {
    return n.predefined() || is_predefined_network_name(n.name);
}

Error bad_filter(std::string message) {
    return Error{0, std::move(message), ErrorKind::invalid_argument};
}

Result<std::optional<bool>> dangling_value(const http::Filters& f) {
    auto it = f.find("dangling");
    if (it == f.end() || it->second.empty()) return std::optional<bool>();
    if (it->second.size() > 1)
        return std::unexpected(bad_filter("got more than one value for filter key \"dangling\""));
    const auto& v = it->second[0];
    if (v == "1" || v == "true") return std::optional<bool>(true);
    if (v == "0" || v == "false") return std::optional<bool>(false);
    return std::unexpected(
        bad_filter("invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" "
                   "(or \"0\")"));
}

std::int64_t now_nanos() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

// `until` as dockerd's timetypes.GetTimestamp takes it: a unix time, an RFC 3339
// time, or a Go duration before now ("24h").
Result<std::optional<std::int64_t>> until_value(const http::Filters& f) {
    auto it = f.find("until");
    if (it == f.end() || it->second.empty()) return std::optional<std::int64_t>();
    if (it->second.size() > 1)
        return std::unexpected(bad_filter("more than one until filter specified"));
    const auto& v = it->second[0];
    if (auto t = parse_timestamp_arg(v)) return std::optional<std::int64_t>(*t);
    if (auto d = cli::parse_go_duration(v)) return std::optional<std::int64_t>(now_nanos() - *d);
    return std::unexpected(bad_filter(cat("invalid filter 'until=", v, "'")));
}

}  // namespace

bool is_predefined_network_name(const std::string& name) {
    return name == "bridge" || name == "host" || name == "none" || name == "default" ||
           name == "ingress";
}

nlohmann::ordered_json network_json(const Network& n,
                                    const std::map<std::string, Endpoint>& containers,
                                    const std::function<std::string(const std::string&)>& name_of) {
    nlohmann::ordered_json attached = nlohmann::ordered_json::object();
    for (const auto& [id, e] : containers) attached[id] = attached_container_json(name_of(id), e);
    return {
        {"Name", n.name},
        {"Id", n.id},
        {"Created", n.created},
        {"Scope", n.scope},
        {"Driver", n.driver},
        {"EnableIPv6", n.enable_ipv6},
        {"IPAM", ipam_json(n)},
        {"Internal", n.internal},
        {"Attachable", n.attachable},
        {"Ingress", false},
        {"ConfigFrom", {{"Network", ""}}},
        {"ConfigOnly", false},
        {"Containers", attached},
        {"Options", string_map(n.options)},
        {"Labels", string_map(n.labels)},
    };
}

Result<NetworkFilter> network_list_filter(const http::Filters& f, NetworkFilter in_use) {
    static const std::set<std::string> kKnown = {"dangling", "driver", "id",  "label",
                                                 "name",     "scope",  "type"};
    for (const auto& [k, _] : f)
        if (!kKnown.contains(k))
            return std::unexpected(bad_filter(cat("invalid filter '", k, "'")));
    auto values = [&](const std::string& k) {
        auto it = f.find(k);
        return it == f.end() ? std::vector<std::string>{} : it->second;
    };
    for (const auto& t : values("type"))
        if (t != "custom" && t != "builtin")
            return std::unexpected(bad_filter(cat("invalid filter: 'type'='", t, "'")));
    auto dangling = BERTH_TRY(dangling_value(f));
    // Copies: the predicate outlives the request's filters.
    auto driver = values("driver"), name = values("name"), id = values("id"),
         label = values("label"), scope = values("scope"), type = values("type");
    return NetworkFilter([=](const Network& n) {
        if (!driver.empty() && !any_equal(driver, n.driver)) return false;
        if (!name.empty() && !go_match(name, n.name)) return false;
        if (!id.empty() && !go_match(id, n.id)) return false;
        if (!label.empty() && !engine::labels_match(label, n.labels)) return false;
        if (!scope.empty() && !any_equal(scope, n.scope)) return false;
        // Predefined networks are never dangling and always count as used.
        if (dangling && *dangling == (builtin(n) || in_use(n))) return false;
        if (!type.empty() && !any_equal(type, builtin(n) ? "builtin" : "custom")) return false;
        return true;
    });
}

Result<NetworkFilter> network_prune_keep(const http::Filters& f) {
    for (const auto& [k, _] : f)
        if (k != "until" && k != "label" && k != "label!")
            return std::unexpected(bad_filter(cat("invalid filter '", k, "'")));
    auto until = BERTH_TRY(until_value(f));
    auto labels = f.contains("label") ? f.at("label") : std::vector<std::string>{};
    auto not_labels = f.contains("label!") ? f.at("label!") : std::vector<std::string>{};
    return NetworkFilter([=](const Network& n) {
        if (until) {
            auto created = parse_rfc3339_nanos(n.created);
            if (created && *created > *until) return true;
        }
        if (!labels.empty() && !engine::labels_match(labels, n.labels)) return true;
        // dockerd spares a network matching every label! value.
        if (!not_labels.empty() && engine::labels_match(not_labels, n.labels)) return true;
        return builtin(n);
    });
}


}  // namespace berth::api

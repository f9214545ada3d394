#include "network/port_bindings.hpp"

#include <algorithm>
#include <charconv>

#include "base/text.hpp"
#include "network/network_service.hpp"

namespace berth::network {

namespace {

std::optional<std::uint16_t> port_number(std::string_view s, bool zero_ok = false) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v > 65535 || (v == 0 && !zero_ok)) return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

struct Key {
    std::uint16_t port = 0;
    std::string proto;
};

Result<Key> parse_key(const std::string& key) {
    auto slash = key.find('/');
    Key k;
    k.proto = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
    auto port = port_number(std::string_view(key).substr(0, slash));
    if (!port || (k.proto != "tcp" && k.proto != "udp" && k.proto != "sctp"))
        return fail_as(ErrorKind::invalid_argument, cat("invalid port specification: ", berth::quoted(key)));
    k.port = *port;
    return k;
}

}  // namespace

Result<std::vector<PortRequest>> port_requests(const Json& bindings, const Json& exposed, bool publish_all) {
    std::vector<PortRequest> out;
    std::vector<std::string> bound;
    if (bindings.is_object())
        for (const auto& [key, list] : bindings.items()) {
            auto k = BERTH_TRY(parse_key(key));
            bound.push_back(cat(k.port, "/", k.proto));
            if (!list.is_array() || list.empty()) {
                out.push_back({k.proto, k.port, std::nullopt, 0, 0});
                continue;
            }
            for (const auto& b : list) {
                PortRequest r{k.proto, k.port, std::nullopt, 0, 0};
                if (!b.is_object())
                    return fail_as(ErrorKind::invalid_argument, cat("invalid port binding for ", key, ": ", b.dump()));
                if (auto ip = b.value("HostIp", ""); !ip.empty())
                    r.host_ip = BERTH_TRY(with_context(IpAddress::parse(ip), cat("port binding ", key)));
                auto host = b.value("HostPort", "");
                if (!host.empty()) {
                    auto dash = host.find('-');
                    auto first = port_number(std::string_view(host).substr(0, dash), true);
                    auto last = dash == std::string::npos ? first : port_number(std::string_view(host).substr(dash + 1));
                    if (!first || !last || *last < *first)
                        return fail_as(ErrorKind::invalid_argument,
                                       cat("invalid port specification: ", berth::quoted(host), " (host port of ", key, ")"));
                    r.host_first = *first;
                    r.host_last = *last;
                }
                out.push_back(r);
            }
        }
    if (publish_all && exposed.is_object())
        for (const auto& [key, _] : exposed.items()) {
            auto k = BERTH_TRY(parse_key(key));
            if (std::find(bound.begin(), bound.end(), cat(k.port, "/", k.proto)) != bound.end()) continue;
            out.push_back({k.proto, k.port, std::nullopt, 0, 0});
        }
    return out;
}

Json ports_json(const std::vector<PublishedPort>& ports) {
    Json j = Json::object();
    for (const auto& p : ports) {
        auto& list = j[cat(p.container_port, "/", p.proto)];
        if (!list.is_array()) list = Json::array();
        list.push_back({{"HostIp", p.host_ip}, {"HostPort", std::to_string(p.host_port)}});
    }
    return j;
}

std::vector<PublishedPort> ports_from_json(const Json& j) {
    std::vector<PublishedPort> out;
    if (!j.is_object()) return out;
    for (const auto& [key, list] : j.items()) {
        auto k = parse_key(key);
        if (!k || !list.is_array()) continue;
        for (const auto& b : list) {
            auto hp = port_number(b.value("HostPort", ""));
            if (!hp) continue;
            out.push_back({k->proto, k->port, b.value("HostIp", ""), *hp});
        }
    }
    return out;
}

}  // namespace berth::network

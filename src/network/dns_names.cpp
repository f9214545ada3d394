// What the embedded DNS server answers: names of containers on the asking
// container's user-defined networks (name, name.network, aliases including the
// short ID, --link aliases) and reverse lookups of their addresses.
#include <algorithm>
#include <cctype>

#include "base/text.hpp"
#include "network/network_service_impl.hpp"

namespace berth::network {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// "4.3.2.1.in-addr.arpa" -> 1.2.3.4
std::optional<IpAddress> reverse_v4(const std::string& name) {
    constexpr std::string_view suffix = ".in-addr.arpa";
    if (!name.ends_with(suffix)) return std::nullopt;
    auto labels = name.substr(0, name.size() - suffix.size());
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = labels.find('.', start)) != std::string::npos; start = dot + 1)
        parts.push_back(labels.substr(start, dot - start));
    parts.push_back(labels.substr(start));
    if (parts.size() != 4) return std::nullopt;
    auto a = IpAddress::parse(cat(parts[3], ".", parts[2], ".", parts[1], ".", parts[0]));
    return a ? std::optional<IpAddress>(*a) : std::nullopt;
}

}  // namespace

DnsLookupResult NetworkService::Impl::lookup(const std::string& container_id, const std::string& qname,
                                             DnsType type) const {
    std::lock_guard lock(mu);
    DnsLookupResult r;
    auto asker = live.find(container_id);
    if (asker == live.end()) return r;
    std::string name = lower(qname);

    if (type == DnsType::PTR) {
        auto addr = reverse_v4(name);
        if (!addr) return r;
        for (const auto& mine : asker->second.endpoints)
            for (const auto& [id, other] : live)
                for (const auto& e : other.endpoints)
                    if (e.network_id == mine.network_id && e.ipv4 && e.ipv4->addr == *addr &&
                        nets.contains(e.network_id) && nets.at(e.network_id).net.has_dns())
                        r.names.push_back(cat(other.name, ".", e.network_name));
        r.found = !r.names.empty();
        return r;
    }

    // --link target:alias of the asker: the alias names the target.
    std::vector<std::pair<std::string, std::string>> links;  // alias -> target name
    for (const auto& l : asker->second.links) {
        auto colon = l.find(':');
        std::string target = l.substr(0, colon);
        if (!target.empty() && target[0] == '/') target.erase(0, 1);
        std::string alias = colon == std::string::npos ? target : l.substr(colon + 1);
        links.emplace_back(lower(alias), lower(target));
    }

    for (const auto& mine : asker->second.endpoints) {
        auto net = nets.find(mine.network_id);
        if (net == nets.end() || !net->second.net.has_dns()) continue;
        std::string base = name;
        if (auto suffix = "." + lower(mine.network_name); base.ends_with(suffix))
            base = base.substr(0, base.size() - suffix.size());
        std::string linked;
        for (const auto& [alias, target] : links)
            if (alias == base) linked = target;
        for (const auto& [id, other] : live)
            for (const auto& e : other.endpoints) {
                if (e.network_id != mine.network_id) continue;
                std::string other_name = lower(other.name);
                bool match = other_name == base || other_name == linked;
                for (const auto& a : e.config.aliases) match = match || lower(a) == base;
                if (!match) continue;
                r.found = true;
                const auto& a = type == DnsType::AAAA ? e.ipv6 : e.ipv4;
                if (a && std::find(r.addresses.begin(), r.addresses.end(), a->addr) == r.addresses.end())
                    r.addresses.push_back(a->addr);
            }
    }
    return r;
}

}  // namespace berth::network

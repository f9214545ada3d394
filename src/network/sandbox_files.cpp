#include "network/sandbox_files.hpp"

#include <sstream>

#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::network {

namespace {

struct ResolvConf {
    std::vector<std::string> nameservers, search, options;
};

ResolvConf parse_resolv(const std::string& text) {
    ResolvConf r;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key, word;
        words >> key;
        if (key.empty() || key[0] == '#' || key[0] == ';') continue;
        std::vector<std::string> rest;
        while (words >> word) rest.push_back(word);
        if (key == "nameserver" && !rest.empty())
            r.nameservers.push_back(rest[0]);
        else if (key == "search" || key == "domain")
            r.search = rest;
        else if (key == "options")
            r.options.insert(r.options.end(), rest.begin(), rest.end());
    }
    return r;
}

}  // namespace

std::string hosts_file(const std::vector<HostsEntry>& extra, const std::vector<std::string>& own_addresses,
                       const std::string& hostname, const std::string& domainname) {
    std::string out =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";
    for (const auto& e : extra) out += cat(e.address, "\t", join(e.names, " "), "\n");
    std::string names = domainname.empty() ? hostname : cat(hostname, ".", domainname, " ", hostname);
    for (const auto& a : own_addresses) out += cat(a, "\t", names, "\n");
    return out;
}

Result<HostsEntry> parse_extra_host(const std::string& spec, const std::optional<IpAddress>& host_gateway) {
    auto sep = spec.find_first_of(":=");
    if (sep == std::string::npos || sep == 0 || sep + 1 == spec.size())
        return fail_as(ErrorKind::invalid_argument, cat("invalid extra host ", berth::quoted(spec), ": want name:ip"));
    std::string name = spec.substr(0, sep), ip = spec.substr(sep + 1);
    if (ip == "host-gateway") {
        if (!host_gateway)
            return fail_as(ErrorKind::invalid_argument,
                           cat("extra host ", berth::quoted(spec), ": host-gateway needs the default bridge network"));
        return HostsEntry{host_gateway->str(), {name}};
    }
    // An IPv6 address may come in brackets: name:[::1].
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (!IpAddress::parse(ip))
        return fail_as(ErrorKind::invalid_argument,
                       cat("invalid IP address in extra host ", berth::quoted(spec), ": ", berth::quoted(ip)));
    return HostsEntry{ip, {name}};
}

std::string resolv_conf_file(const std::string& host_resolv_conf, const ResolvSettings& s, bool embedded_dns) {
    auto host = parse_resolv(host_resolv_conf);
    std::vector<std::string> servers;
    if (embedded_dns) {
        servers = {"127.0.0.11"};
    } else if (!s.dns.empty()) {
        servers = s.dns;
    } else {
        for (const auto& ns : host.nameservers) {
            auto a = IpAddress::parse(ns);
            if (a && !a->is_loopback()) servers.push_back(ns);
        }
        if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
    }
    std::vector<std::string> search = host.search;
    if (!s.dns_search.empty()) search = s.dns_search;
    if (search.size() == 1 && search[0] == ".") search.clear();  // --dns-search=. : none
    std::vector<std::string> options = s.dns_options.empty() ? host.options : s.dns_options;
    if (embedded_dns) {
        bool ndots = false;
        for (const auto& o : options) ndots = ndots || o.starts_with("ndots:");
        if (!ndots) options.push_back("ndots:0");
    }
    std::string out;
    for (const auto& ns : servers) out += cat("nameserver ", ns, "\n");
    if (!search.empty()) out += cat("search ", join(search, " "), "\n");
    if (!options.empty()) out += cat("options ", join(options, " "), "\n");
    return out;
}

}  // namespace berth::network

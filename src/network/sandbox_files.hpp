// The contents of a container's /etc/hosts and /etc/resolv.conf, as Docker writes
// them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

struct HostsEntry {
    std::string address;
    std::vector<std::string> names;
};

// localhost lines, then `extra` (--add-host, --link), then the container's own
// address with its hostname (none when `own` is empty: no network).
std::string hosts_file(const std::vector<HostsEntry>& extra, const std::vector<std::string>& own_addresses,
                       const std::string& hostname, const std::string& domainname);

// --add-host "name:ip" (or "name=ip"); "host-gateway" becomes `host_gateway`.
Result<HostsEntry> parse_extra_host(const std::string& spec, const std::optional<IpAddress>& host_gateway);

struct ResolvSettings {
    std::vector<std::string> dns, dns_search, dns_options;  // --dns, --dns-search, --dns-option
};

// A container's resolv.conf from the host's and its settings. With the embedded
// DNS server the only nameserver is 127.0.0.11 (which forwards to --dns or the
// host's); otherwise --dns or the host's nameservers that work from a container
// (not loopback ones), falling back to Google's as Docker does.
std::string resolv_conf_file(const std::string& host_resolv_conf, const ResolvSettings& s, bool embedded_dns);

}  // namespace berth::network

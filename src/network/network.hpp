// One network as the daemon knows it and `docker network inspect` shows it:
// driver, IPAM configuration, options, labels. Persisted as <data-root>/network/
// networks/<id>.json. The three predefined networks ("bridge", "host", "none")
// are records like any other, made at the first daemon start.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

// One IPAM.Config entry: a subnet, the part of it handed out (ip_range), the
// gateway (the bridge's address) and addresses the user set aside (aux).
struct IpamPool {
    IpPrefix subnet;                     // network form
    std::optional<IpPrefix> ip_range;    // within subnet
    std::optional<IpAddress> gateway;    // bridge networks always have one after create
    std::map<std::string, IpAddress> aux;  // AuxiliaryAddresses
};

struct Network {
    std::string id, name;
    std::string driver = "bridge";  // bridge | host | null
    std::string scope = "local";
    std::string created;  // RFC 3339 with nanoseconds
    bool internal = false, attachable = false, enable_ipv6 = false;
    std::string ipam_driver = "default";
    std::vector<IpamPool> pools;
    std::map<std::string, std::string> ipam_options, options, labels;

    // Bridge driver, derived from options at create and kept here:
    std::string bridge;  // the Linux bridge ("berth0", "br-<id12>")
    bool icc = true, masquerade = true;
    int mtu = 1500;
    std::optional<IpAddress> host_binding;  // default host IP of its published ports
    bool is_default = false;                // the predefined "bridge" network

    Json to_disk() const;
    static Result<Network> from_disk(const Json& j);
    // Predefined networks cannot be removed, connected to by name through the
    // endpoint API (host, none), or pruned.
    bool predefined() const { return is_default || driver == "host" || driver == "null"; }
    // Containers on it find each other by name (every bridge network but the default).
    bool has_dns() const { return driver == "bridge" && !is_default; }
};

}  // namespace berth::network

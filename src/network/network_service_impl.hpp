// NetworkService's insides, shared by its files: network_service.cpp (networks),
// sandbox.cpp (containers' endpoints) and dns_names.cpp (what the embedded DNS
// server answers).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "network/dns_server.hpp"
#include "network/firewall.hpp"
#include "network/ipam.hpp"
#include "network/netlink.hpp"
#include "network/network_service.hpp"

namespace berth::network {

struct NetState {
    Network net;
    AddressPool pool;
};

// A running container's sandbox.
struct LiveSandbox {
    std::string id, name;
    std::vector<Endpoint> endpoints;
    std::vector<PortMapping> mappings;
    std::vector<PortReservation> reservations;
    std::vector<std::string> links;  // HostConfig.Links "name:alias", resolved by DNS on user networks
    bool dns = false;                // registered with the embedded DNS server
    std::vector<IpAddress> upstream;
};

struct NetworkService::Impl {
    NetworkConfig cfg;
    mutable std::mutex mu;
    std::map<std::string, NetState> nets;  // by id
    std::map<std::string, LiveSandbox> live;  // by container id
    std::unique_ptr<Firewall> firewall;
    std::unique_ptr<DnsServer> dns;
    std::vector<IpAddress> host_upstream;
    std::mutex nl_mu;  // guards nl
    std::unique_ptr<Netlink> nl;  // the host's namespace

    // With mu held.
    NetState* find_locked(const std::string& ref);
    const NetState* find_locked(const std::string& ref) const;
    std::vector<FirewallNetwork> firewall_networks_locked() const;
    std::vector<PortMapping> mappings_locked() const;
    std::optional<IpAddress> host_gateway_locked() const;

    // The bridge of a bridge network, with its gateway addresses, up.
    Result<void> make_bridge(const Network& n);
    Result<void> persist(const Network& n) const;

    // An endpoint's addresses and names on network `s` (mu held).
    Result<Endpoint> allocate_endpoint_locked(NetState& s, const EndpointConfig& wanted, const std::string& container_id);
    void release_endpoint_locked(const Endpoint& e);
    // The veth pair of `e` into namespace `netns_fd`, named `ifname` there, with
    // its addresses; the default route through it when `route` is set.
    Result<void> plug(const Endpoint& e, int netns_fd, Netlink& in_ns, const std::string& ifname, bool route);

    DnsLookupResult lookup(const std::string& container_id, const std::string& name, DnsType type) const;
};

// 2 * n random hex digits.
std::string random_hex(std::size_t n);

}  // namespace berth::network

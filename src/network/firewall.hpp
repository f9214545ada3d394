// berth's nftables rules, programmed in-process through libnftables, all in one
// `inet` table of berth's own (named per daemon, default "berth") so the host's
// firewall and Docker's are never touched. The table is derived state: `sync`
// replaces it whole, in one transaction, from what the daemon knows (at daemon
// start and when a network comes or goes); published ports then come and go as
// map elements, which is cheap.
//
// What the rules do (docs/networking.md):
//  - nat postrouting: masquerade what leaves a network's subnet through any other
//    interface (not for internal networks); masquerade DNATed connections that
//    come from 127.0.0.0/8 (the host reaching a published port on localhost) or
//    hairpin back into the bridge they came from.
//  - nat prerouting + output: packets to a local address (fib daddr type local)
//    whose protocol and port are published are DNATed to the container, through
//    two maps: one keyed by host address (-p 127.0.0.1:80:80), one for any address.
//  - filter forward: internal networks reach nothing but their own bridge;
//    different berth networks cannot reach each other; DNATed and established
//    traffic into a network is accepted.
//  - bridge family forward: a network with enable_icc=false drops traffic
//    between its containers (bridged frames never reach the inet hooks without
//    br_netfilter, so that is done at the bridge layer).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "network/ip_address.hpp"

struct nft_ctx;

namespace berth::network {

struct FirewallNetwork {
    std::string bridge;                    // the Linux bridge's name
    std::vector<IpPrefix> subnets;         // IPv4 and/or IPv6, network form
    bool internal = false;                 // no traffic in or out of the bridge
    bool icc = true;                       // containers on it may talk to each other
    bool masquerade = true;                // NAT what goes out (bridge option ip-masquerade)
};

struct PortMapping {
    std::string proto;                  // "tcp" | "udp" | "sctp"
    std::optional<IpAddress> host_ip;   // nullopt: every address of the host (of the family of container_ip)
    std::uint16_t host_port = 0;
    IpAddress container_ip;
    std::uint16_t container_port = 0;
    auto operator<=>(const PortMapping&) const = default;
};

class Firewall {
  public:
    // Sends nothing to the kernel yet, but libnftables (1.0.6) opens its netlink
    // socket here: the Firewall programs the network namespace of the thread
    // that opened it, whichever thread later calls it.
    static Result<std::unique_ptr<Firewall>> open(std::string table);
    ~Firewall();
    Firewall(const Firewall&) = delete;
    Firewall& operator=(const Firewall&) = delete;

    const std::string& table() const { return table_; }

    // Replaces berth's table (creating it when absent) with rules for these
    // networks and these published ports, atomically.
    Result<void> sync(const std::vector<FirewallNetwork>& networks, const std::vector<PortMapping>& ports);
    // Adds or removes published ports (map elements); removing one that is not
    // there is not an error.
    Result<void> add_ports(const std::vector<PortMapping>& ports);
    Result<void> remove_ports(const std::vector<PortMapping>& ports);
    // Deletes the table (no error when absent): tests and `berthd --cleanup`.
    Result<void> destroy();

    // The nft text `sync` would send (for unit tests and the debug log).
    static std::string render(const std::string& table, const std::vector<FirewallNetwork>& networks,
                              const std::vector<PortMapping>& ports);

  private:
    Firewall(std::string table, nft_ctx* ctx) : table_(std::move(table)), ctx_(ctx) {}
    Result<void> run(const std::string& commands);

    std::string table_;
    nft_ctx* ctx_;
    std::mutex mu_;
};

}  // namespace berth::network

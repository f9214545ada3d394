// One network's address allocations (the default IPAM driver): addresses are
// handed out in order from the pool's range, continuing after the last one given
// (so a released address is not reused at once, as Docker does), never the
// subnet's own address, its broadcast, the gateway or an auxiliary address.
// The daemon rebuilds the table at start from the containers still running,
// which is what makes allocations survive a restart.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "network/ip_address.hpp"
#include "network/network.hpp"

namespace berth::network {

class AddressPool {
  public:
    AddressPool() = default;
    explicit AddressPool(const Network& n);

    // The next free address of the family; an exhausted pool is a conflict
    // naming the network.
    Result<IpAddress> allocate(bool v6);
    // A specific address (--ip): it must be in a subnet of the network (and of
    // its ip range when one is set, as dockerd checks) and free.
    Result<void> reserve(const IpAddress& a);
    void release(const IpAddress& a);
    bool has_family(bool v6) const;
    // The pool (subnet, gateway) an address belongs to.
    const IpamPool* pool_of(const IpAddress& a) const;

  private:
    bool excluded(const IpamPool& p, const IpAddress& a) const;

    std::string network_name_;
    std::vector<IpamPool> pools_;
    std::set<IpAddress> used_;
    std::optional<IpAddress> last_[2];  // by family (0: v4, 1: v6)
};

// Picks a subnet for a new network (or the default bridge): the first of Docker's
// default pools (172.17-31.0.0/16, then 192.168.0.0/20 steps) that overlaps
// nothing in `taken`.
std::optional<IpPrefix> free_subnet(const std::vector<IpPrefix>& taken);

}  // namespace berth::network

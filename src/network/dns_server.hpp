// The embedded DNS server of user-defined networks: what a container finds at
// 127.0.0.11:53. The daemon creates a UDP and a TCP socket bound to 127.0.0.11:53
// inside each such container's network namespace and serves them all from one
// thread: names the daemon knows (containers, aliases, links, short IDs on the
// asking container's networks) are answered at once, everything else is
// forwarded to the upstream resolvers (the host's, or the container's --dns).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

enum class DnsType : std::uint16_t { A = 1, PTR = 12, AAAA = 28 };

struct DnsLookupResult {
    // Found: the addresses (A/AAAA) or names (PTR, without the trailing dot).
    std::vector<IpAddress> addresses;
    std::vector<std::string> names;
    bool found = false;  // false: not a name berth knows; forward it
};

// Answers a question asked by container `container_id`: the name in lower case
// without the trailing dot ("web", "web.mynet"), for A, AAAA or PTR
// ("2.0.17.172.in-addr.arpa"). Called on the server's thread; must not block long.
using DnsLookup = std::function<DnsLookupResult(const std::string& container_id, const std::string& name,
                                                DnsType type)>;

class DnsServer {
  public:
    // `host_upstream`: the resolvers of the host (its /etc/resolv.conf), used for
    // containers without --dns. Starts the serving thread.
    static Result<std::unique_ptr<DnsServer>> start(DnsLookup lookup, std::vector<IpAddress> host_upstream);
    ~DnsServer();  // stops the thread, closes every socket
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

    // Serves 127.0.0.11:53 (UDP and TCP) in the namespace `netns_fd` (whose `lo`
    // must be up) for container `container_id`, forwarding unknown names to
    // `upstream` (empty: the host's). Replaces a previous registration of the id.
    Result<void> add(const std::string& container_id, int netns_fd, std::vector<IpAddress> upstream);
    void remove(const std::string& container_id);

    // The nameservers of a resolv.conf text that are usable from the host.
    static std::vector<IpAddress> nameservers_of(const std::string& resolv_conf);

  private:
    DnsServer() = default;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace berth::network

// rtnetlink, in-process: links (bridges, veth pairs), addresses and routes.
// One Netlink object is one NETLINK_ROUTE socket in the namespace it was opened
// in; each call is one request answered by an ack (or an error naming the
// object and the kernel's errno). Not thread-safe: one user at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

struct LinkInfo {
    int index = 0;
    std::string name;
    std::string kind;  // "bridge", "veth", ... ("" when the kernel says none)
    int master = 0;    // the bridge's index, 0 when none
    bool up = false;
    int mtu = 0;
};

class Netlink {
  public:
    // A socket in the calling thread's namespace.
    static Result<Netlink> open();
    // A socket in the namespace `netns_fd` (created there on a helper thread).
    static Result<Netlink> open_in(int netns_fd);

    // A bridge; mtu 0 = the kernel's default. EEXIST is not an error when the
    // existing link is a bridge (its MTU is then left alone).
    Result<void> create_bridge(const std::string& name, int mtu);
    // A veth pair: `host_name` here, `peer_name` created directly in the
    // namespace `peer_netns_fd` (so it never appears on the host).
    Result<void> create_veth(const std::string& host_name, const std::string& peer_name, int peer_netns_fd,
                             int mtu);
    // Deletes a link by name; false when there was none.
    Result<bool> delete_link(const std::string& name);

    Result<std::optional<LinkInfo>> link(const std::string& name);
    Result<std::vector<LinkInfo>> links();

    Result<void> set_up(const std::string& name);
    Result<void> set_master(const std::string& name, const std::string& bridge);
    Result<void> set_mtu(const std::string& name, int mtu);
    Result<void> set_mac(const std::string& name, const MacAddress& mac);
    Result<void> rename(const std::string& name, const std::string& new_name);
    // Bridge port options: hairpin mode (a container reaching itself through a
    // published port goes out and back in on its own port).
    Result<void> set_hairpin(const std::string& name, bool on);

    // Adds `addr` (an interface address with its prefix length) to the link;
    // EEXIST is not an error.
    Result<void> add_address(const std::string& name, const IpPrefix& addr);
    Result<std::vector<IpPrefix>> addresses(const std::string& name);
    // Every address on every link, and every route's destination, of this
    // namespace: what a new subnet must not overlap.
    Result<std::vector<IpPrefix>> routed_prefixes();
    // A default route via `gateway` (IPv4 or IPv6 by the gateway's family).
    Result<void> add_default_route(const IpAddress& gateway);

  private:
    explicit Netlink(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
    unsigned seq_ = 0;
    // (internal request helpers live in netlink.cpp)
    friend struct NetlinkRequest;
};

}  // namespace berth::network

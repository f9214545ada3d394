// The daemon's networks and every running container's place in them.
//
// Networks: create (Docker's POST /networks/create body), inspect, list, remove,
// prune; records persisted under <data-root>/network; bridges made at create
// and at daemon start; the nftables table rebuilt at daemon start.
//
// Sandboxes: a running container's network namespace (made by the runtime, found
// by the container's pid) with one endpoint per network it is on. A start is two
// steps, so that the container's files can be written before the runtime creates
// it: plan() allocates addresses and host ports and says what /etc/hosts and
// /etc/resolv.conf hold; wire() plumbs the namespace (veth into the bridge,
// addresses, routes, published ports, embedded DNS) once the container exists and
// before its process runs. release() undoes both; restore() readopts a
// container that kept running across a daemon restart.
//
// Thread-safe: one mutex guards the tables; kernel work runs outside it where it
// can.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "network/firewall.hpp"
#include "network/ip_address.hpp"
#include "network/network.hpp"
#include "network/port_reservation.hpp"

namespace berth::network {

class DnsServer;
class Ipam;

struct NetworkConfig {
    std::string state_dir;          // <data-root>/network
    std::string default_bridge = "berth0";  // --bridge ("none": no default bridge network)
    std::string bip;                // --bip "172.30.0.1/16": the default bridge's address; "" = pick a free range
    std::string fixed_cidr;         // --fixed-cidr: the part of the bip subnet handed out
    int mtu = 1500;                 // --mtu
    bool icc = true;                // --icc
    bool ip_masquerade = true;      // --ip-masq
    bool ip_forward = true;         // --ip-forward: sets net.ipv4.ip_forward
    std::string nft_table = "berth";  // berth's own nftables table
    std::string default_bind_ip;    // --ip: default host IP of published ports ("" = all)
    std::string resolv_conf = "/etc/resolv.conf";  // the host's resolvers
};

// What a container asks of one network (NetworkingConfig.EndpointsConfig[name],
// or `network connect`'s EndpointConfig).
struct EndpointConfig {
    std::optional<IpAddress> ipv4, ipv6;  // IPAMConfig.IPv4Address / IPv6Address
    std::vector<std::string> aliases;
    std::vector<std::string> links;  // "container:alias"
    std::optional<MacAddress> mac;
    static Result<EndpointConfig> from_json(const Json& endpoint_settings);
};

// An endpoint as it is once planned: what inspect's NetworkSettings.Networks[name]
// shows (Docker's EndpointSettings), persisted with the container.
struct Endpoint {
    std::string network_id, network_name, endpoint_id;
    EndpointConfig config;
    std::optional<IpPrefix> ipv4, ipv6;  // address with the subnet's prefix length
    std::optional<IpAddress> gateway4, gateway6;
    MacAddress mac;
    std::string host_veth;  // the host end ("veth1a2b3c4")
    // Docker's EndpointSettings JSON.
    Json to_json() const;
    static Result<Endpoint> from_json(const std::string& network_name, const Json& j);
};

// A published port once bound ("Ports" of inspect).
struct PublishedPort {
    std::string proto;  // tcp | udp | sctp
    std::uint16_t container_port = 0;
    std::string host_ip;  // "0.0.0.0", "::", "127.0.0.1"
    std::uint16_t host_port = 0;
};

// What start asks: the container, the networks it is on and how, its ports and
// name resolution settings (from Config, HostConfig and NetworkSettings).
struct SandboxRequest {
    std::string container_id, container_name;  // name without "/"
    std::string hostname, domainname;
    std::string network_mode;  // "default", "bridge", "none", "host", "container:<id>", "<network>"
    // Networks in the order joined: name -> config. The first is the primary one
    // (its address goes into /etc/hosts with the hostname).
    std::vector<std::pair<std::string, EndpointConfig>> networks;
    Json port_bindings = Json::object();  // HostConfig.PortBindings
    Json exposed_ports = Json::object();  // Config.ExposedPorts
    bool publish_all = false;
    std::vector<std::string> dns, dns_search, dns_options, extra_hosts;
    std::vector<std::string> links;  // HostConfig.Links: "name:alias" (default bridge)
    // For --link on the default bridge: a linked container's address by name.
    std::function<std::optional<std::string>(const std::string& container)> link_address;
};

// A start in progress: addresses and host ports held, files' contents ready.
// Dropping it without wire() gives everything back.
class SandboxPlan {
  public:
    SandboxPlan() = default;
    ~SandboxPlan();
    SandboxPlan(SandboxPlan&&) noexcept;
    SandboxPlan& operator=(SandboxPlan&&) noexcept;

    std::vector<Endpoint> endpoints;
    std::vector<PublishedPort> ports;
    std::string hosts, resolv_conf;  // the contents of /etc/hosts and /etc/resolv.conf

  private:
    friend class NetworkService;
    class NetworkService* owner_ = nullptr;
    std::string container_id_;
    SandboxRequest request_;
    std::vector<PortMapping> mappings_;
    std::vector<PortReservation> reservations_;
    std::vector<IpAddress> upstream_;  // --dns for the embedded server
};

class NetworkService {
  public:
    // Loads the networks (making the predefined ones the first time), creates their
    // bridges, turns on forwarding, and replaces berth's nftables table. Containers
    // running across a restart are readopted with restore() afterwards, then
    // sync_firewall() puts their ports back.
    static Result<std::unique_ptr<NetworkService>> open(NetworkConfig cfg);
    ~NetworkService();

    // Networks. `ref`: full ID, name, or unique ID prefix.
    Result<Network> create(const Json& body, std::string* warning);
    Result<Network> get(const std::string& ref) const;
    std::vector<Network> list() const;
    Result<void> remove(const std::string& ref);
    // Removes unused user networks `keep` does not spare; their names.
    std::vector<std::string> prune(const std::function<bool(const Network&)>& keep);
    // The running containers on a network: id -> endpoint (inspect's "Containers").
    std::map<std::string, Endpoint> endpoints_of(const std::string& network_id) const;
    std::string container_name(const std::string& container_id) const;

    // Sandboxes.
    Result<SandboxPlan> plan(const SandboxRequest& req);
    // Plumbs the namespace of process `pid`; `plan` is consumed.
    Result<void> wire(SandboxPlan&& plan, pid_t pid);
    // Forgets the container: addresses, ports, DNS, host veths. Idempotent.
    void release(const std::string& container_id);
    // A container found running at daemon start, with the endpoints and ports
    // recorded when it started.
    Result<void> restore(const SandboxRequest& req, pid_t pid, const std::vector<Endpoint>& endpoints,
                         const std::vector<PublishedPort>& ports);
    Result<void> sync_firewall();
    // Live connect/disconnect of a running container (pid) to a network.
    Result<Endpoint> connect(const std::string& container_id, pid_t pid, const std::string& network_ref,
                             const EndpointConfig& cfg);
    Result<void> disconnect(const std::string& container_id, const std::string& network_ref);
    // A running container was renamed: DNS answers follow at once.
    void rename(const std::string& container_id, const std::string& new_name);

    // The default bridge's gateway: what --add-host x:host-gateway resolves to.
    std::optional<IpAddress> host_gateway() const;

  private:
    struct Impl;
    explicit NetworkService(std::unique_ptr<Impl> impl);
    friend class SandboxPlan;
    void give_back(SandboxPlan& plan);
    std::unique_ptr<Impl> impl_;
};

}  // namespace berth::network

// The request bodies the network commands send, built from their flags as docker
// 20.10's CLI builds them: POST /networks/create (with the IPAM configuration
// consolidated per subnet), POST /networks/{id}/connect, and the EndpointSettings
// both connect and run/create's NetworkingConfig carry.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "cli/flags/flags.hpp"

namespace berth::cli {

std::vector<FlagDef> network_create_flags();
// The body for `network create [flags] NAME` (args[0] is the name). Errors are
// docker's: "no matching subnet for gateway 10.0.0.1", "invalid subnet: ...".
Result<Json> network_create_body(const ParsedFlags& flags);
// pflag's value checks of create's flags (--label): usage errors.
Result<void> check_network_create_flags(const ParsedFlags& flags);

// One subnet's IPAM.Config entry as the flags give it.
struct IpamPoolFlags {
    std::string subnet, ip_range, gateway;
    std::map<std::string, std::string> aux;
};
// docker's consolidateIpam: each range, gateway and aux address joins the subnet
// that holds it; subnets must not overlap. In the order the subnets were given.
Result<std::vector<IpamPoolFlags>> consolidate_ipam(
    const std::vector<std::string>& subnets, const std::vector<std::string>& ranges,
    const std::vector<std::string>& gateways,
    const std::vector<std::pair<std::string, std::string>>& aux);

// What a container asks of a network (Docker's EndpointSettings as a client sends it).
struct EndpointRequest {
    std::string ipv4, ipv6;
    std::vector<std::string> link_local_ips, aliases, links;
    std::map<std::string, std::string> driver_opts;
    bool ipam_always = false;         // connect sends IPAMConfig even when empty
    bool driver_opts_always = false;  // connect sends DriverOpts {} even when empty
};
Json endpoint_settings_json(const EndpointRequest& e);

std::vector<FlagDef> network_connect_flags();
// {"Container", "EndpointConfig"} for `network connect [flags] NETWORK CONTAINER`.
Result<Json> network_connect_body(const ParsedFlags& flags);

// Docker's NetworkMode.IsUserDefined: not default, bridge, host, none or container:.
bool is_user_defined_network(const std::string& mode);

}  // namespace berth::cli

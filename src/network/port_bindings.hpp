// HostConfig.PortBindings (+ Config.ExposedPorts with PublishAllPorts) read into
// the ports to publish, and the published ports written back as Docker's
// NetworkSettings.Ports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

struct PublishedPort;

struct PortRequest {
    std::string proto = "tcp";
    std::uint16_t container_port = 0;
    std::optional<IpAddress> host_ip;        // nullopt: the default (every address)
    std::uint16_t host_first = 0, host_last = 0;  // 0: any free port
};

// Errors name the bad spec: `invalid port specification: "80x/tcp"`.
Result<std::vector<PortRequest>> port_requests(const Json& bindings, const Json& exposed, bool publish_all);

// {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], ...}
Json ports_json(const std::vector<PublishedPort>& ports);
std::vector<PublishedPort> ports_from_json(const Json& j);

}  // namespace berth::network

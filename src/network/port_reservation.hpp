// Host ports held for published container ports. berth publishes ports in the
// kernel (DNAT), so nothing would otherwise stop another program from binding a
// published port, or berth from publishing a port a program already serves: the
// daemon binds (and, for TCP, listens on) each published host port for as long
// as the container runs. A port in use is refused with the holder named.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

class PortReservation {
  public:
    PortReservation() = default;
    PortReservation(UniqueFd fd, std::uint16_t port) : fd_(std::move(fd)), port_(port) {}
    std::uint16_t port() const { return port_; }
    bool held() const { return fd_.get() >= 0; }

  private:
    UniqueFd fd_;
    std::uint16_t port_ = 0;
};

// Binds `proto` ("tcp" | "udp" | "sctp") port `port` (0: a free port the kernel
// picks) on `host_ip` (nullopt: every address; v4 0.0.0.0 unless `v6` is set, then ::
// with IPV6_V6ONLY). In use: ErrorKind::conflict, "Bind for 0.0.0.0:8080 failed:
// port is already allocated (held by process 1234 "nc")" or without the holder
// when it cannot be found.
Result<PortReservation> reserve_port(const std::string& proto, const std::optional<IpAddress>& host_ip,
                                     std::uint16_t port, bool v6 = false);

// Who holds a port, for that message: "process 1234 \"nc\"" from /proc/net/* and
// /proc/*/fd, or "" when nothing visible does.
std::string port_holder(const std::string& proto, std::uint16_t port);

}  // namespace berth::network

// berthd's settings: defaults, then daemon.json (--config-file), then flags — and, as
// dockerd does, a directive given both as a flag and in the file is an error rather
// than a silent override, as is a key the file should not have.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "network/network_service.hpp"

namespace berth::engine {

struct DaemonConfig {
    std::string host = "unix:///run/berth/berth.sock";
    std::string data_root = "/var/lib/berth";
    std::string exec_root = "/run/berth";
    std::string config_file = "/etc/berth/daemon.json";
    std::string pidfile;             // default: <exec_root>/berthd.pid
    std::string group = "berth";     // owner group of the socket, when it exists
    std::string log_level = "info";  // debug, info, warn, error, fatal
    // Registries spoken to over plain HTTP ("host:port"), besides loopback ones.
    std::vector<std::string> insecure_registries;
    // CA certificates of registries: <dir>/<host:port>/ca.crt (docker's certs.d).
    std::string registry_certs_dir = "/etc/berth/certs.d";
    // Mirrors of Docker Hub ("https://mirror.example.com"), tried in order before
    // it when pulling docker.io images.
    std::vector<std::string> registry_mirrors;
    // Networking: --bridge, --bip, --fixed-cidr, --mtu, --icc, --ip-masq,
    // --ip-forward, --ip, --nft-table (state_dir is set from data_root at start).
    network::NetworkConfig network;

    // The socket path of `host` ("unix:///x" or "/x").
    Result<std::string> socket_path() const;
    std::string pidfile_path() const;
};

// Applies a daemon.json document. `from_flags` names the directives the command line
// set (by their daemon.json key: "data-root"), which the file may not repeat.
Result<void> apply_daemon_json(DaemonConfig& cfg, const Json& doc,
                               const std::set<std::string>& from_flags);

// Reads `cfg.config_file` if it exists (a missing default file is fine; a missing
// file named explicitly is not) and applies it.
Result<void> load_daemon_json(DaemonConfig& cfg, bool named_explicitly,
                              const std::set<std::string>& from_flags);

Result<void> validate_log_level(const std::string& level);

}  // namespace berth::engine

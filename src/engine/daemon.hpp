// berthd's model: its configuration, its stores and its event stream, opened once at
// start and shared by every API handler. Containers, networks and volumes join later.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "engine/container_service.hpp"
#include "engine/daemon_config.hpp"
#include "engine/exec_service.hpp"
#include "engine/health_checker.hpp"
#include "engine/events.hpp"
#include "image/image_store.hpp"
#include "network/network_service.hpp"

namespace berth::engine {

class Daemon {
  public:
    // Creates the data and exec roots, takes the pidfile (refusing a second daemon on
    // the same roots), opens the image store.
    static Result<std::unique_ptr<Daemon>> open(DaemonConfig cfg);
    ~Daemon();

    const DaemonConfig& config() const { return cfg_; }
    image::ImageStore& images() { return *images_; }
    EventBus& events() { return events_; }
    ContainerService& containers() { return *containers_; }
    ExecService& execs() { return *execs_; }
    HealthChecker& health() { return *health_; }
    network::NetworkService& networks() { return *networks_; }
    // A stable identity of this data root (Docker's /info "ID").
    const std::string& id() const { return id_; }
    std::int64_t started_at() const { return started_at_; }

  private:
    Daemon() = default;
    DaemonConfig cfg_;
    std::unique_ptr<image::ImageStore> images_;
    EventBus events_;
    std::unique_ptr<network::NetworkService> networks_;  // containers_ releases into it: declared before
    // Declared after the stores it uses, so it is destroyed (its threads joined) first.
    std::unique_ptr<ContainerService> containers_;
    std::unique_ptr<ExecService> execs_;
    std::unique_ptr<HealthChecker> health_;  // probes through execs_: destroyed before it
    std::string id_;
    std::int64_t started_at_ = 0;
    UniqueFd pidfile_;  // held with a lock for the daemon's lifetime
};

}  // namespace berth::engine

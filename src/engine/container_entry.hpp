// ContainerService's private per-container bookkeeping, shared by its source files.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/container_service.hpp"

namespace berth::engine {

// A client waiting to attach to a created container: it is connected to the
// monitor between the monitor's "created" and "start", so it sees every byte.
struct ContainerService::PendingAttach {
    AttachRequest req;
    std::optional<Result<UniqueFd>> result;  // set by start (under mu_), then cv_ notified
};

struct ContainerService::Entry {
    Container c;
    std::mutex op;  // serialises start/stop/remove/restart of this container
    std::vector<std::shared_ptr<PendingAttach>> pending;
    std::uint64_t exits = 0;   // exits seen since the daemon started (next-exit waits)
    std::uint64_t starts = 0;  // starts since the daemon started
    bool removed = false;
    bool removing = false;     // a forced remove is under way: no restart policy applies
    int restart_delay_ms = 0;  // the restart policy's current backoff
};

// Removes a container's directory (a path under the data root) and all it holds.
Result<void> remove_container_dir(const std::string& dir);

}  // namespace berth::engine

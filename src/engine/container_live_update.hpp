// POST /containers/{id}/update on a running container: the new limits go into its
// cgroup at once (docker's UpdateResources), not only into its stored settings.
#pragma once

#include <string>

#include "base/json.hpp"
#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::engine {

// The cgroup limits an update `body` (docker's UpdateConfig: the HostConfig
// resource keys at the top level) changes, taking the values from `host_config`,
// the container's HostConfig with the update already merged. A key counts as set
// when non-zero (PidsLimit: when not null), as docker reads the body; memory and
// CPU quota come with their partners (swap, period) so the kernel's checks between
// the pair hold and a period alone does not lift the quota.
oci::Resources update_resources(const Json& body, const Json& host_config);

// Writes update_resources(body, host_config) into the cgroup of the runtime's
// container `id`. Fails with the kernel's refusal ("write .../memory.limit_in_bytes
// = 1048576: Device or resource busy": a limit below what is in use that cannot be
// reclaimed), prefixed "Cannot update container <id>". The runtime writes memory
// first, so a refused memory limit leaves the cgroup untouched; a later refusal
// (say cpuset) leaves the limits written before it.
Result<void> apply_live_update(const std::string& runtime_root, const std::string& id,
                               const Json& body, const Json& host_config);

}  // namespace berth::engine

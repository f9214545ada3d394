// Pieces of container_settings.cpp shared with its validation and merge files.
#pragma once

#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "engine/container_settings.hpp"

namespace berth::engine::detail {

inline std::unexpected<Error> invalid(std::string message) {
    return fail_as(ErrorKind::invalid_argument, std::move(message));
}

// Whether validation may look at this host (create, update) or must not (loading
// persisted settings at daemon start).
enum class HostChecks { on, off };

// The Config / HostConfig as inspect shows them: every key present, defaults
// filled, types checked ("json: cannot unmarshal ..." in Docker's words).
Result<Json> normalize_config(const Json& given);
Result<Json> normalize_host_config(const Json& given);

// Validates a normalized HostConfig, adjusting what dockerd adjusts with a warning.
Result<void> validate_host_config(Json& host_config, HostChecks checks,
                                  std::vector<std::string>& warnings);
// The Resources part alone (also used by update).
Result<void> validate_resources(Json& host_config, HostChecks checks, bool update,
                                std::vector<std::string>& warnings);
Result<void> validate_cpusets(const Json& host_config, HostChecks checks);
Result<void> validate_restart_policy(const Json& host_config);
Result<void> validate_config(const Json& config);

// Recomputes the typed fields of `s` from its JSON.
void refresh_typed_view(ContainerSettings& s);

// The host's usable CPUs and memory nodes ("0-3"), and how many CPUs.
std::string host_cpuset_cpus();
std::string host_cpuset_mems();
int host_cpu_count();
// Whether every CPU of `requested` ("0-2,5") is in `available`; nullopt when
// `requested` doesn't parse.
std::optional<bool> cpuset_within(std::string_view requested, std::string_view available);

}  // namespace berth::engine::detail

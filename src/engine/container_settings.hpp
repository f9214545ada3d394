// What a container is made of, as the Docker API describes it: the create request
// (Config with HostConfig and NetworkingConfig embedded) parsed and validated into
// the JSON `docker inspect` shows, plus typed views of the fields the engine reads.
// The JSON is the record (it is persisted and shown); the typed fields are derived
// from it and kept in sync by every function here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "image/image_config.hpp"

namespace berth::engine {

struct RestartPolicy {
    std::string name;  // "no" | "always" | "on-failure" | "unless-stopped" ("" = "no")
    int maximum_retry_count = 0;
    bool operator==(const RestartPolicy&) const = default;
};

struct LogConfig {
    std::string type = "json-file";  // json-file | none
    std::map<std::string, std::string> config;  // json-file: max-size ("10m"), max-file, ...
    bool operator==(const LogConfig&) const = default;
};

// Docker's Healthcheck: test[0] is "CMD" or "CMD-SHELL" here ("NONE" disables and
// is represented by the absence of HealthSettings). Durations in nanoseconds,
// 0 = Docker's default (30s interval, 30s timeout, 0 start period, 3 retries).
struct HealthSettings {
    std::vector<std::string> test;
    std::int64_t interval_ns = 0, timeout_ns = 0, start_period_ns = 0;
    int retries = 0;
    bool operator==(const HealthSettings&) const = default;
};

struct ContainerSettings {
    Json config;             // Docker "Config" as inspect shows it (image defaults merged)
    Json host_config;        // Docker "HostConfig" as docker 20.10 inspect shows it
    Json networking_config;  // as given (null when absent)

    // Typed views, derived from the JSON above.
    std::string image;  // Config.Image as the client gave it
    std::vector<std::string> entrypoint, cmd, env;
    std::string working_dir, user, hostname, domainname;
    std::string stop_signal = "SIGTERM";
    std::optional<int> stop_timeout;  // seconds; nullopt = the daemon's default (10)
    bool tty = false, open_stdin = false, stdin_once = false;
    bool attach_stdin = false, attach_stdout = false, attach_stderr = false;
    std::map<std::string, std::string> labels;
    RestartPolicy restart;
    bool auto_remove = false;
    LogConfig log;
    std::optional<HealthSettings> healthcheck;  // nullopt: none, or disabled by NONE
    std::string network_mode;  // "default" (= bridge), "bridge", "none", "host", "container:<x>"
    bool init = false, privileged = false, read_only = false;

    bool operator==(const ContainerSettings&) const = default;
};

// Parses and validates a POST /containers/create body. Checks against this host
// (bind sources exist, cpusets and CPU counts are available) but not the image.
// Errors are ErrorKind::invalid_argument worded like dockerd's. Adjustments
// dockerd makes with a warning (CpuShares clamped, say) append to `warnings`.
Result<ContainerSettings> parse_create_request(const Json& body,
                                               std::vector<std::string>* warnings = nullptr);

// Lays the image's defaults under the request, as dockerd does at create: a given
// Entrypoint drops the image's Cmd, Env merges by key (the container wins),
// WorkingDir/User/StopSignal/Healthcheck fill in when unset, Labels, ExposedPorts
// and Volumes merge. OnBuild is not inherited.
void merge_image_config(ContainerSettings& s, const image::ContainerConfig& image_config);

// Rebuilds settings from persisted JSON (what inspect shows), at daemon start.
// Validates the shape but not the host (a bind source that vanished is the
// start's problem, not the load's).
Result<ContainerSettings> settings_from_json(const Json& config, const Json& host_config,
                                             const Json& networking_config);

// Applies a POST /containers/{id}/update body (the Resources fields and
// RestartPolicy), validated as at create. Returns dockerd's warnings.
Result<std::vector<std::string>> apply_update(ContainerSettings& s, const Json& body);

// Docker's size words for tmpfs size=, log max-size, ...: "10m", "1g", "512k", "7".
Result<std::int64_t> parse_docker_size(std::string_view text);

}  // namespace berth::engine

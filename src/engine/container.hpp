// One container as the daemon knows it: what it was created from, where its files
// live, and its state. Persisted as config.v2.json in its directory under the data
// root (as dockerd does), rewritten atomically on every state change.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "engine/container_settings.hpp"

namespace berth::engine {

enum class ContainerStatus { created, running, paused, restarting, removing, exited, dead };

std::string_view status_name(ContainerStatus s);

// Docker's zero time, which inspect shows for "never".
inline constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";

struct HealthLogEntry {
    std::string start, end;
    int exit_code = 0;
    std::string output;
};

struct HealthState {
    std::string status;  // "starting" | "healthy" | "unhealthy"; "" when no healthcheck
    int failing_streak = 0;
    std::vector<HealthLogEntry> log;  // the last five probes
};

struct ContainerState {
    ContainerStatus status = ContainerStatus::created;
    pid_t pid = 0;          // the container's init, 0 when not running
    pid_t monitor_pid = 0;  // its monitor (not shown by inspect)
    int exit_code = 0;
    bool oom_killed = false;
    std::string error;
    std::string started_at{kZeroTime}, finished_at{kZeroTime};
    std::int64_t finished_at_ns = 0;  // for the `exited`/`until` style comparisons and backoff
    HealthState health;

    bool running() const {
        return status == ContainerStatus::running || status == ContainerStatus::paused ||
               status == ContainerStatus::restarting;
    }
};

struct Container {
    std::string id, name;  // name without the leading "/"
    std::string created;   // RFC 3339 with nanoseconds
    std::int64_t created_ns = 0;
    std::string image_id;  // "sha256:..."
    std::string path;      // the process's executable as configured (entrypoint or cmd)
    std::vector<std::string> args;
    ContainerSettings settings;
    ContainerState state;
    int restart_count = 0;
    bool manually_stopped = false;  // stopped through the API: unless-stopped stays down
    bool has_been_started = false;
    // Inspect's NetworkSettings parts that persist: "Networks" (network name ->
    // Docker EndpointSettings; addresses filled while running, or fixed by the user)
    // and "Ports" ("80/tcp" -> [{"HostIp","HostPort"}] while running).
    Json networks = Json::object();
    Json ports = Json::object();

    // The JSON persisted in config.v2.json.
    Json to_disk() const;
    static Result<Container> from_disk(const Json& j);
};

// Where a container's files live.
struct ContainerPaths {
    std::string dir;        // <data-root>/containers/<id>: config.v2.json, log, etc files
    std::string state_dir;  // <exec-root>/containers/<id>: monitor socket, exit record, bundle
    std::string config_file() const { return dir + "/config.v2.json"; }
    std::string log_file(const std::string& id) const { return dir + "/" + id + "-json.log"; }
    std::string hostname_file() const { return dir + "/hostname"; }
    std::string hosts_file() const { return dir + "/hosts"; }
    std::string resolv_conf_file() const { return dir + "/resolv.conf"; }
    std::string upper_dir() const { return dir + "/fs/diff"; }
    std::string work_dir() const { return dir + "/fs/work"; }
    std::string rootfs() const { return dir + "/fs/merged"; }
    std::string bundle() const { return state_dir + "/bundle"; }
};

// A new random 64-hex-digit container ID.
std::string new_container_id();

}  // namespace berth::engine

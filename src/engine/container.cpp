#include "engine/container.hpp"

#include <array>
#include <random>

#include "base/text.hpp"

namespace berth::engine {

std::string_view status_name(ContainerStatus s) {
    switch (s) {
        case ContainerStatus::created: return "created";
        case ContainerStatus::running: return "running";
        case ContainerStatus::paused: return "paused";
        case ContainerStatus::restarting: return "restarting";
        case ContainerStatus::removing: return "removing";
        case ContainerStatus::exited: return "exited";
        case ContainerStatus::dead: return "dead";
    }
    return "unknown";
}

namespace {

Result<ContainerStatus> status_from_name(std::string_view n) {
    for (auto s : {ContainerStatus::created, ContainerStatus::running, ContainerStatus::paused,
                   ContainerStatus::restarting, ContainerStatus::removing, ContainerStatus::exited,
                   ContainerStatus::dead})
        if (status_name(s) == n) return s;
    return fail(cat("unknown container status ", quoted(n)));
}

Json health_to_json(const HealthState& h) {
    Json log = Json::array();
    for (const auto& e : h.log)
        log.push_back({{"Start", e.start}, {"End", e.end}, {"ExitCode", e.exit_code}, {"Output", e.output}});
    return {{"Status", h.status}, {"FailingStreak", h.failing_streak}, {"Log", log}};
}

HealthState health_from_json(const Json& j) {
    HealthState h;
    if (!j.is_object()) return h;
    h.status = j.value("Status", "");
    h.failing_streak = j.value("FailingStreak", 0);
    if (j.contains("Log") && j["Log"].is_array())
        for (const auto& e : j["Log"])
            h.log.push_back({e.value("Start", ""), e.value("End", ""), e.value("ExitCode", 0), e.value("Output", "")});
    return h;
}

}  // namespace

Json Container::to_disk() const {
    return {
        {"ID", id},
        {"Name", name},
        {"Created", created},
        {"CreatedNs", created_ns},
        {"Image", image_id},
        {"Path", path},
        {"Args", args},
        {"RestartCount", restart_count},
        {"HasBeenManuallyStopped", manually_stopped},
        {"HasBeenStartedBefore", has_been_started},
        {"State",
         {{"Status", status_name(state.status)},
          {"Pid", state.pid},
          {"MonitorPid", state.monitor_pid},
          {"ExitCode", state.exit_code},
          {"OOMKilled", state.oom_killed},
          {"Error", state.error},
          {"StartedAt", state.started_at},
          {"FinishedAt", state.finished_at},
          {"FinishedAtNs", state.finished_at_ns},
          {"Health", health_to_json(state.health)}}},
        {"Config", settings.config},
        {"HostConfig", settings.host_config},
        {"NetworkingConfig", settings.networking_config},
        {"NetworkSettings", {{"Networks", networks}, {"Ports", ports}}},
    };
}

Result<Container> Container::from_disk(const Json& j) {
    try {
        Container c;
        c.id = j.at("ID").get<std::string>();
        c.name = j.at("Name").get<std::string>();
        c.created = j.at("Created").get<std::string>();
        c.created_ns = j.value("CreatedNs", std::int64_t{0});
        c.image_id = j.at("Image").get<std::string>();
        c.path = j.value("Path", "");
        c.args = j.value("Args", std::vector<std::string>{});
        c.restart_count = j.value("RestartCount", 0);
        c.manually_stopped = j.value("HasBeenManuallyStopped", false);
        c.has_been_started = j.value("HasBeenStartedBefore", false);
        const auto& s = j.at("State");
        c.state.status = BERTH_TRY(status_from_name(s.at("Status").get<std::string>()));
        c.state.pid = s.value("Pid", 0);
        c.state.monitor_pid = s.value("MonitorPid", 0);
        c.state.exit_code = s.value("ExitCode", 0);
        c.state.oom_killed = s.value("OOMKilled", false);
        c.state.error = s.value("Error", "");
        c.state.started_at = s.value("StartedAt", std::string(kZeroTime));
        c.state.finished_at = s.value("FinishedAt", std::string(kZeroTime));
        c.state.finished_at_ns = s.value("FinishedAtNs", std::int64_t{0});
        if (s.contains("Health")) c.state.health = health_from_json(s["Health"]);
        c.settings = BERTH_TRY(settings_from_json(j.at("Config"), j.at("HostConfig"),
                                                  j.value("NetworkingConfig", Json::object())));
        if (auto it = j.find("NetworkSettings"); it != j.end() && it->is_object()) {
            c.networks = it->value("Networks", Json::object());
            c.ports = it->value("Ports", Json::object());
        }
        return c;
    } catch (const Json::exception& e) {
        return fail(cat("malformed container record: ", e.what()));
    }
}

std::string new_container_id() {
    std::array<unsigned char, 32> bytes{};
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    // getrandom via /dev/urandom semantics; a PRNG seeded from random_device is plenty
    // for uniqueness, and the store checks for collisions anyway.
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
        auto v = fallback();
        for (std::size_t k = 0; k < 8; ++k) bytes[i + k] = static_cast<unsigned char>(v >> (8 * k));
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(64);
    for (auto b : bytes) {
        id.push_back(kHex[b >> 4]);
        id.push_back(kHex[b & 15]);
    }
    // Docker avoids all-digit short IDs (they read as numbers); so do we.
    if (id.find_first_not_of("0123456789", 0) >= 12) id[0] = 'a';
    return id;
}

}  // namespace berth::engine

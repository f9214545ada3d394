#include "api/container_json.hpp"

#include <time.h>

#include <algorithm>
#include <regex>
#include <set>

#include "base/text.hpp"
#include "base/time.hpp"
#include "cli/format/units.hpp"
#include "engine/events.hpp"

namespace berth::api {

using engine::Container;
using engine::ContainerStatus;

namespace {

std::int64_t now_nanos() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

std::string health_suffix(const Container& c) {
    const auto& h = c.state.health.status;
    if (h == "starting") return " (health: starting)";
    if (h.empty()) return "";
    return cat(" (", h, ")");
}

std::string network_mode(const Container& c) {
    return c.settings.network_mode.empty() || c.settings.network_mode == "default" ? "bridge"
                                                                                    : c.settings.network_mode;
}

// The endpoint object of NetworkSettings.Networks; addresses come with networking.
Json endpoint_json() {
    return {{"IPAMConfig", nullptr}, {"Links", nullptr},         {"Aliases", nullptr},
            {"NetworkID", ""},       {"EndpointID", ""},         {"Gateway", ""},
            {"IPAddress", ""},       {"IPPrefixLen", 0},         {"IPv6Gateway", ""},
            {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"MacAddress", ""},
            {"DriverOpts", nullptr}};
}

Json networks_json(const Container& c) {
    auto mode = network_mode(c);
    if (mode.starts_with("container:")) return Json::object();
    return {{mode, endpoint_json()}};
}

Json exposed_ports_json(const Container& c) {
    Json ports = Json::array();
    if (!c.settings.config.contains("ExposedPorts") || !c.settings.config["ExposedPorts"].is_object()) return ports;
    for (const auto& [spec, _] : c.settings.config["ExposedPorts"].items()) {
        auto slash = spec.find('/');
        int port = 0;
        try {
            port = std::stoi(spec.substr(0, slash));
        } catch (...) {
            continue;
        }
        ports.push_back({{"PrivatePort", port}, {"Type", slash == std::string::npos ? "tcp" : spec.substr(slash + 1)}});
    }
    return ports;
}

std::string command_text(const Container& c) {
    std::string cmd = c.path;
    for (const auto& a : c.args) cmd += " " + a;
    return cmd;
}

}  // namespace

std::string container_status_text(const Container& c, std::int64_t now_ns) {
    const auto& st = c.state;
    auto ago = [&](std::int64_t then_ns) {
        return cli::human_duration(std::max<std::int64_t>(0, (now_ns - then_ns) / 1'000'000'000));
    };
    auto started_ns = parse_rfc3339_nanos(st.started_at).value_or(now_ns);
    switch (st.status) {
        case ContainerStatus::created: return "Created";
        case ContainerStatus::running: return cat("Up ", ago(started_ns), health_suffix(c));
        case ContainerStatus::paused: return cat("Up ", ago(started_ns), " (Paused)");
        case ContainerStatus::restarting:
            return cat("Restarting (", st.exit_code, ") ", ago(st.finished_at_ns), " ago");
        case ContainerStatus::removing: return "Removal In Progress";
        case ContainerStatus::dead: return "Dead";
        case ContainerStatus::exited:
            if (!c.has_been_started && st.finished_at == engine::kZeroTime) return "Created";
            return cat("Exited (", st.exit_code, ") ", ago(st.finished_at_ns), " ago");
    }
    return "";
}

Json container_summary_json(const Container& c, std::optional<SizeInfo> size) {
    Json j = {
        {"Id", c.id},
        {"Names", Json::array({"/" + c.name})},
        {"Image", c.settings.image},
        {"ImageID", c.image_id},
        {"Command", command_text(c)},
        {"Created", c.created_ns / 1'000'000'000},
        {"Ports", exposed_ports_json(c)},
        {"Labels", c.settings.labels},
        {"State", std::string(engine::status_name(c.state.status))},
        {"Status", container_status_text(c, now_nanos())},
        {"HostConfig", {{"NetworkMode", c.settings.host_config.value("NetworkMode", "default")}}},
        {"NetworkSettings", {{"Networks", networks_json(c)}}},
        {"Mounts", Json::array()},
    };
    if (size) {
        j["SizeRw"] = size->rw;
        j["SizeRootFs"] = size->root_fs;
    }
    return j;
}

nlohmann::ordered_json container_inspect_json(const Container& c, const engine::ContainerPaths& p,
                                              const std::vector<std::string>& layer_dirs,
                                              std::optional<SizeInfo> size) {
    const auto& st = c.state;
    nlohmann::ordered_json state = {
        {"Status", std::string(engine::status_name(st.status))},
        {"Running", st.status == ContainerStatus::running || st.status == ContainerStatus::paused},
        {"Paused", st.status == ContainerStatus::paused},
        {"Restarting", st.status == ContainerStatus::restarting},
        {"OOMKilled", st.oom_killed},
        {"Dead", st.status == ContainerStatus::dead},
        {"Pid", st.pid},
        {"ExitCode", st.exit_code},
        {"Error", st.error},
        {"StartedAt", st.started_at},
        {"FinishedAt", st.finished_at},
    };
    if (!st.health.status.empty()) {
        Json log = Json::array();
        for (const auto& e : st.health.log)
            log.push_back({{"Start", e.start}, {"End", e.end}, {"ExitCode", e.exit_code}, {"Output", e.output}});
        state["Health"] = {{"Status", st.health.status}, {"FailingStreak", st.health.failing_streak}, {"Log", log}};
    }
    std::string lower;
    for (auto it = layer_dirs.rbegin(); it != layer_dirs.rend(); ++it) lower += (lower.empty() ? "" : ":") + *it;
    bool log_none = c.settings.log.type == "none";
    nlohmann::ordered_json j = {
        {"Id", c.id},
        {"Created", c.created},
        {"Path", c.path},
        {"Args", c.args},
        {"State", state},
        {"Image", c.image_id},
        {"ResolvConfPath", p.resolv_conf_file()},
        {"HostnamePath", p.hostname_file()},
        {"HostsPath", p.hosts_file()},
        {"LogPath", log_none ? std::string() : p.log_file(c.id)},
        {"Name", "/" + c.name},
        {"RestartCount", c.restart_count},
        {"Driver", "overlay2"},
        {"Platform", "linux"},
        {"MountLabel", ""},
        {"ProcessLabel", ""},
        {"AppArmorProfile", ""},
        {"ExecIDs", nullptr},
        {"HostConfig", c.settings.host_config},
        {"GraphDriver",
         {{"Data",
           {{"LowerDir", lower}, {"MergedDir", p.rootfs()}, {"UpperDir", p.upper_dir()}, {"WorkDir", p.work_dir()}}},
          {"Name", "overlay2"}}},
    };
    if (size) {
        j["SizeRw"] = size->rw;
        j["SizeRootFs"] = size->root_fs;
    }
    j["Mounts"] = Json::array();
    j["Config"] = c.settings.config;
    j["NetworkSettings"] = {
        {"Bridge", ""},
        {"SandboxID", ""},
        {"HairpinMode", false},
        {"LinkLocalIPv6Address", ""},
        {"LinkLocalIPv6PrefixLen", 0},
        {"Ports", Json::object()},
        {"SandboxKey", ""},
        {"SecondaryIPAddresses", nullptr},
        {"SecondaryIPv6Addresses", nullptr},
        {"EndpointID", ""},
        {"Gateway", ""},
        {"GlobalIPv6Address", ""},
        {"GlobalIPv6PrefixLen", 0},
        {"IPAddress", ""},
        {"IPPrefixLen", 0},
        {"IPv6Gateway", ""},
        {"MacAddress", ""},
        {"Networks", networks_json(c)},
    };
    return j;
}

namespace {

bool name_matches(const std::string& pattern, const std::string& name) {
    // Docker matches the name filter as a regular expression against "/name".
    try {
        return std::regex_search("/" + name, std::regex(pattern));
    } catch (const std::regex_error&) {
        return ("/" + name).find(pattern) != std::string::npos;
    }
}

}  // namespace

Result<ContainerFilter> container_filter(const http::Filters& f, const engine::ContainerService& svc,
                                         image::ImageStore& images) {
    static const std::set<std::string> kKnown = {"status", "name", "label", "ancestor", "exited", "id",
                                                 "before", "since", "health", "network"};
    for (const auto& [k, _] : f)
        if (!kKnown.contains(k)) return fail_as(ErrorKind::invalid_argument, cat("invalid filter '", k, "'"));
    auto values = [&](const std::string& k) {
        auto it = f.find(k);
        return it == f.end() ? std::vector<std::string>{} : it->second;
    };
    for (const auto& s : values("status")) {
        static const std::set<std::string> kStatuses = {"created", "restarting", "running", "removing",
                                                        "paused", "exited", "dead"};
        if (!kStatuses.contains(s))
            return fail_as(ErrorKind::invalid_argument,
                           cat("Invalid filter 'status=", s,
                               "'. Valid values are: created, restarting, running, removing, paused, exited, dead"));
    }
    for (const auto& h : values("health")) {
        if (h != "starting" && h != "healthy" && h != "unhealthy" && h != "none")
            return fail_as(ErrorKind::invalid_argument,
                           cat("Invalid filter 'health=", h, "'. Valid values are: starting, healthy, unhealthy, none"));
    }
    std::vector<int> exited;
    for (const auto& e : values("exited")) {
        try {
            exited.push_back(std::stoi(e));
        } catch (...) {
            return fail_as(ErrorKind::invalid_argument, cat("invalid filter 'exited=", e, "'"));
        }
    }
    std::set<std::string> ancestors;
    for (const auto& a : values("ancestor")) {
        if (auto id = images.resolve(a)) ancestors.insert(*id);
        ancestors.insert(a);  // a name no longer in the store still matches what containers say
    }
    std::optional<std::int64_t> before, since;
    for (const auto& b : values("before")) before = BERTH_TRY(svc.get(b)).created_ns;
    for (const auto& s : values("since")) since = BERTH_TRY(svc.get(s)).created_ns;

    return ContainerFilter([=](const Container& c) {
        auto any = [&](const std::string& k, auto pred) {
            auto v = values(k);
            if (v.empty()) return true;
            for (const auto& x : v)
                if (pred(x)) return true;
            return false;
        };
        if (!any("status", [&](const std::string& s) { return s == engine::status_name(c.state.status); }))
            return false;
        if (!any("name", [&](const std::string& n) { return name_matches(n, c.name); })) return false;
        if (!any("id", [&](const std::string& i) { return c.id.starts_with(i); })) return false;
        if (!values("label").empty() && !engine::labels_match(values("label"), c.settings.labels)) return false;
        if (!ancestors.empty() && !ancestors.contains(c.image_id) && !ancestors.contains(c.settings.image))
            return false;
        if (!exited.empty()) {
            if (c.state.status != ContainerStatus::exited) return false;
            if (std::find(exited.begin(), exited.end(), c.state.exit_code) == exited.end()) return false;
        }
        if (!any("health", [&](const std::string& h) {
                return h == "none" ? c.state.health.status.empty() : h == c.state.health.status;
            }))
            return false;
        if (!any("network", [&](const std::string& n) { return n == network_mode(c); })) return false;
        if (before && c.created_ns >= *before) return false;
        if (since && c.created_ns <= *since) return false;
        return true;
    });
}

}  // namespace berth::api

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

// Whether the container's network namespace is its own: not the host's, not
// another container's, and not none (no ports there).
bool has_own_network(const Container& c) {
    auto mode = network_mode(c);
    return mode != "host" && mode != "none" && !mode.starts_with("container:");
}

// Its sandbox exists while its process does: running or paused.
bool live(const Container& c) {
    return c.state.status == ContainerStatus::running || c.state.status == ContainerStatus::paused;
}

// NetworkSettings.Ports: the bindings made at start and, as dockerd shows them,
// the exposed ports left unpublished as null. Empty while not running: the
// bindings go with the sandbox.
Json port_map(const Container& c) {
    Json ports = Json::object();
    if (!live(c)) return ports;
    if (c.ports.is_object()) ports = c.ports;
    const Json& exposed = c.settings.config.contains("ExposedPorts") ? c.settings.config["ExposedPorts"] : Json();
    if (has_own_network(c) && exposed.is_object())
        for (const auto& [spec, _] : exposed.items()) {
            std::string key = spec.find('/') == std::string::npos ? spec + "/tcp" : spec;
            if (!ports.contains(key)) ports[key] = nullptr;
        }
    return ports;
}

int port_number(const std::string& text) {
    try {
        return std::stoi(text);
    } catch (...) {
        return 0;
    }
}

// The list's "Ports": one entry per binding, one per unpublished port (dockerd's
// container view); IP and PublicPort are omitted where empty, as Go's omitempty.
Json port_list(const Json& port_map) {
    Json out = Json::array();
    for (const auto& [key, bindings] : port_map.items()) {
        auto slash = key.find('/');
        int private_port = port_number(key.substr(0, slash));
        std::string proto = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
        if (!bindings.is_array() || bindings.empty()) {
            out.push_back({{"PrivatePort", private_port}, {"Type", proto}});
            continue;
        }
        for (const auto& b : bindings) {
            Json p = {{"PrivatePort", private_port}, {"Type", proto}};
            std::string ip = b.is_object() ? b.value("HostIp", "") : "";
            int public_port = b.is_object() ? port_number(b.value("HostPort", "")) : 0;
            if (!ip.empty()) p["IP"] = ip;
            if (public_port != 0) p["PublicPort"] = public_port;
            out.push_back(std::move(p));
        }
    }
    return out;
}

// One EndpointSettings in the order dockerd writes its fields (ours are stored
// sorted); fields we do not know follow.
nlohmann::ordered_json ordered_endpoint(const Json& e) {
    static const char* const kOrder[] = {"IPAMConfig", "Links", "Aliases", "NetworkID", "EndpointID",
                                         "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway",
                                         "GlobalIPv6Address", "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts"};
    if (!e.is_object()) return e;
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const char* k : kOrder)
        if (e.contains(k)) out[k] = e[k];
    for (const auto& [k, v] : e.items())
        if (!out.contains(k)) out[k] = v;
    return out;
}

nlohmann::ordered_json networks_json(const Container& c) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    if (!c.networks.is_object()) return out;
    for (const auto& [name, e] : c.networks.items()) out[name] = ordered_endpoint(e);
    return out;
}

// The deprecated top-level fields: the endpoint on the default "bridge" network.
nlohmann::ordered_json default_bridge_fields(const Container& c) {
    Json e = c.networks.is_object() && c.networks.contains("bridge") && c.networks["bridge"].is_object()
                 ? c.networks["bridge"]
                 : Json::object();
    return {{"EndpointID", e.value("EndpointID", "")},
            {"Gateway", e.value("Gateway", "")},
            {"GlobalIPv6Address", e.value("GlobalIPv6Address", "")},
            {"GlobalIPv6PrefixLen", e.value("GlobalIPv6PrefixLen", 0)},
            {"IPAddress", e.value("IPAddress", "")},
            {"IPPrefixLen", e.value("IPPrefixLen", 0)},
            {"IPv6Gateway", e.value("IPv6Gateway", "")},
            {"MacAddress", e.value("MacAddress", "")}};
}

// Inspect's NetworkSettings, fields in dockerd's order.
nlohmann::ordered_json network_settings_json(const Container& c) {
    // berth's sandbox is the container's own network namespace: the container's
    // ID names it, and /proc/<pid>/ns/net reaches it (dockerd bind-mounts it
    // under /var/run/docker/netns instead).
    bool sandbox = live(c) && !network_mode(c).starts_with("container:");
    nlohmann::ordered_json ns = {
        {"Bridge", ""},
        {"SandboxID", sandbox ? c.id : ""},
        {"HairpinMode", false},
        {"LinkLocalIPv6Address", ""},
        {"LinkLocalIPv6PrefixLen", 0},
        {"Ports", port_map(c)},
        {"SandboxKey", sandbox ? cat("/proc/", c.state.pid, "/ns/net") : ""},
        {"SecondaryIPAddresses", nullptr},
        {"SecondaryIPv6Addresses", nullptr},
    };
    auto bridge_fields = default_bridge_fields(c);
    for (const auto& [k, v] : bridge_fields.items()) ns[k] = v;
    ns["Networks"] = networks_json(c);
    return ns;
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
        {"Ports", port_list(port_map(c))},
        {"Labels", c.settings.labels},
        {"State", std::string(engine::status_name(c.state.status))},
        {"Status", container_status_text(c, now_nanos())},
        {"HostConfig", {{"NetworkMode", c.settings.host_config.value("NetworkMode", "default")}}},
        {"NetworkSettings", {{"Networks", c.networks.is_object() ? c.networks : Json::object()}}},
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
    j["NetworkSettings"] = network_settings_json(c);
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

// dockerd's `network` filter: a network the container is on, by name or ID prefix.
bool on_network(const Container& c, const std::string& ref) {
    if (!c.networks.is_object()) return false;
    if (c.networks.contains(ref)) return true;
    for (const auto& [_, e] : c.networks.items()) {
        std::string id = e.is_object() ? e.value("NetworkID", "") : "";
        if (!id.empty() && id.starts_with(ref)) return true;
    }
    return false;
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
        if (!any("network", [&](const std::string& n) { return on_network(c, n); })) return false;
        if (before && c.created_ns >= *before) return false;
        if (since && c.created_ns <= *since) return false;
        return true;
    });
}

}  // namespace berth::api

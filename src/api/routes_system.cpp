// /_ping, /version, /info, /events and /system/df.
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <map>

#include "api/api_errors.hpp"
#include "http/versions.hpp"
#include "api/container_json.hpp"
#include "api/image_json.hpp"
#include "api/routes.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/time.hpp"
#include "image/platform.hpp"
#include "runtime/cgroup.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;

struct HostFacts {
    std::string kernel, arch, os_name, hostname;
    long cpus = 0;
    std::int64_t mem_total = 0;
};

std::string os_pretty_name() {
    auto text = read_file("/etc/os-release");
    if (!text) return "Linux";
    for (auto line : split(*text, '\n')) {
        std::string_view l = line;
        if (!l.starts_with("PRETTY_NAME=")) continue;
        l.remove_prefix(12);
        if (l.size() >= 2 && l.front() == '"' && l.back() == '"') l = l.substr(1, l.size() - 2);
        return std::string(l);
    }
    return "Linux";
}

HostFacts host_facts() {
    HostFacts f;
    utsname u{};
    uname(&u);
    f.kernel = u.release;
    f.arch = u.machine;
    f.hostname = u.nodename;
    f.os_name = os_pretty_name();
    f.cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct sysinfo si {};
    if (sysinfo(&si) == 0) f.mem_total = static_cast<std::int64_t>(si.totalram) * si.mem_unit;
    return f;
}

void ping(Request&, ResponseWriter& w) {
    (void)w.send(200, "text/plain; charset=utf-8", "OK",
                 {{"Cache-Control", "no-cache, no-store, must-revalidate"}, {"Pragma", "no-cache"},
                  {"Builder-Version", "1"}});
}

Json version_json(const HostFacts& f) {
    const std::string& arch = image::host_platform().architecture;
    Json details = {{"ApiVersion", http::kApiVersion},  {"Arch", arch},
                    {"BuildTime", ""},                  {"Experimental", "false"},
                    {"GitCommit", ""},                  {"GoVersion", "n/a (C++)"},
                    {"KernelVersion", f.kernel},        {"MinAPIVersion", http::kMinApiVersion},
                    {"Os", "linux"}};
    return {{"Platform", {{"Name", "berth"}}},
            {"Components", Json::array({{{"Name", "Engine"}, {"Version", BERTH_VERSION},
                                         {"Details", details}}})},
            {"Version", BERTH_VERSION},
            {"ApiVersion", http::kApiVersion},
            {"MinAPIVersion", http::kMinApiVersion},
            {"GitCommit", ""},
            {"GoVersion", "n/a (C++)"},
            {"Os", "linux"},
            {"Arch", arch},
            {"KernelVersion", f.kernel},
            {"BuildTime", ""}};
}

Json info_json(engine::Daemon& d, const HostFacts& f) {
    auto images = d.images().list();
    int running = 0, paused = 0, stopped = 0;
    auto containers = d.containers().list();
    for (const auto& c : containers) {
        if (c.state.status == engine::ContainerStatus::paused) ++paused;
        else if (c.state.running()) ++running;
        else ++stopped;
    }
    bool v2 = runtime::detect_cgroup_version() == runtime::CgroupVersion::v2;
    Json swarm = {{"NodeID", ""}, {"NodeAddr", ""}, {"LocalNodeState", "inactive"},
                  {"ControlAvailable", false}, {"Error", ""}, {"RemoteManagers", nullptr}};
    return {{"ID", d.id()},
            {"Containers", containers.size()},
            {"ContainersRunning", running},
            {"ContainersPaused", paused},
            {"ContainersStopped", stopped},
            {"Images", images ? images->size() : 0},
            {"Driver", "overlay2"},
            {"DriverStatus", Json::array({{"Backing Filesystem", "extfs"},
                                          {"Supports d_type", "true"},
                                          {"Native Overlay Diff", "true"}})},
            {"Plugins", {{"Volume", Json::array()}, {"Network", Json::array()},
                         {"Authorization", nullptr}, {"Log", Json::array({"json-file"})}}},
            {"MemoryLimit", true},
            {"SwapLimit", !v2},
            {"KernelMemory", false},
            {"CpuCfsPeriod", true},
            {"CpuCfsQuota", true},
            {"CPUShares", true},
            {"CPUSet", true},
            {"PidsLimit", true},
            {"IPv4Forwarding", trim(read_file("/proc/sys/net/ipv4/ip_forward").value_or("0")) == "1"},
            {"BridgeNfIptables", false},
            {"BridgeNfIp6tables", false},
            {"Debug", d.config().log_level == "debug"},
            {"NFd", 0},
            {"OomKillDisable", !v2},
            {"NGoroutines", 0},
            {"SystemTime", rfc3339_now()},
            {"LoggingDriver", "json-file"},
            {"CgroupDriver", "cgroupfs"},
            {"CgroupVersion", v2 ? "2" : "1"},
            {"NEventsListener", 0},
            {"KernelVersion", f.kernel},
            {"OperatingSystem", f.os_name},
            {"OSVersion", ""},
            {"OSType", "linux"},
            {"Architecture", f.arch},
            {"IndexServerAddress", "https://index.docker.io/v1/"},
            {"RegistryConfig", {{"AllowNondistributableArtifactsCIDRs", Json::array()},
                                {"AllowNondistributableArtifactsHostnames", Json::array()},
                                {"InsecureRegistryCIDRs", Json::array({"127.0.0.0/8"})},
                                {"IndexConfigs", Json::object()},
                                {"Mirrors", Json::array()}}},
            {"NCPU", f.cpus},
            {"MemTotal", f.mem_total},
            {"GenericResources", nullptr},
            {"DockerRootDir", d.config().data_root},
            {"HttpProxy", ""},
            {"HttpsProxy", ""},
            {"NoProxy", ""},
            {"Name", f.hostname},
            {"Labels", Json::array()},
            {"ExperimentalBuild", false},
            {"ServerVersion", BERTH_VERSION},
            {"Runtimes", {{"berth", {{"path", "berth-runtime"}}}}},
            {"DefaultRuntime", "berth"},
            {"Swarm", swarm},
            {"LiveRestoreEnabled", false},
            {"Isolation", ""},
            {"InitBinary", ""},
            {"ContainerdCommit", {{"ID", ""}, {"Expected", ""}}},
            {"RuncCommit", {{"ID", ""}, {"Expected", ""}}},
            {"InitCommit", {{"ID", ""}, {"Expected", ""}}},
            {"SecurityOptions", Json::array({"name=seccomp,profile=default"})},
            {"Warnings", Json::array()}};
}

// `since`/`until` as the API takes them: unix seconds with an optional fraction.
Result<std::optional<std::int64_t>> unix_nanos_param(const Request& req, const char* name) {
    auto v = req.query_value(name);
    if (v.empty()) return std::optional<std::int64_t>();
    auto t = parse_timestamp_arg(v);
    if (!t)
        return fail_as(ErrorKind::invalid_argument,
                       std::string("invalid ") + name + " value \"" + v +
                           "\": want unix seconds, like 1700000000.5");
    return std::optional<std::int64_t>(*t);
}

void events(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto since = unix_nanos_param(req, "since");
    auto until = unix_nanos_param(req, "until");
    auto filters = req.filters();
    if (!since) return send_error(w, since.error());
    if (!until) return send_error(w, until.error());
    if (!filters) return send_error(w, {0, filters.error().message, ErrorKind::invalid_argument});
    auto& bus = d.events();
    // With `since`, replay what the ring still holds; else only what happens next.
    std::uint64_t seq = *since ? 0 : bus.last_seq();
    if (!w.start_chunked(200, "application/json")) return;
    for (;;) {
        auto batch = bus.wait_after(seq, std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
        for (const auto& e : batch) {
            seq = e.seq;
            if (*since && e.time_nano < **since) continue;
            if (*until && e.time_nano > **until) return (void)w.end_chunked();
            if (!engine::event_matches(e, *filters)) continue;
            if (!w.write_chunk(e.to_json().dump() + "\n")) return;
        }
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        if (*until && now.tv_sec * 1'000'000'000LL + now.tv_nsec > **until) return (void)w.end_chunked();
        if (w.client_gone()) return;
    }
}

// Each image's SharedSize as docker's df computes it: the bytes of its layers that
// another image stands on too.
Result<std::vector<std::int64_t>> shared_sizes(image::ImageStore& store,
                                                const std::vector<image::ImageSummary>& images) {
    std::map<std::string, int> users;
    for (const auto& s : images)
        for (const auto& c : s.chain) ++users[c];
    std::vector<std::int64_t> out;
    for (const auto& s : images) {
        std::int64_t shared = 0;
        for (const auto& c : s.chain)
            if (users[c] > 1) shared += BERTH_TRY(store.layer(c)).size;
        out.push_back(shared);
    }
    return out;
}

void disk_usage(engine::Daemon& d, Request&, ResponseWriter& w) {
    auto images = d.images().list();
    if (!images) return send_error(w, images.error());
    auto layers = d.images().layers_size();
    if (!layers) return send_error(w, layers.error());
    auto shared = shared_sizes(d.images(), *images);
    if (!shared) return send_error(w, shared.error());
    Json containers = Json::array();
    for (const auto& c : d.containers().list())
        containers.push_back(container_summary_json(c, SizeInfo{d.containers().size_rw(c.id), 0}));
    Json list = Json::array();
    for (std::size_t i = 0; i < images->size(); ++i) {
        auto j = image_summary_json((*images)[i], d.containers().count_using((*images)[i].id));
        j["SharedSize"] = (*shared)[i];
        list.push_back(std::move(j));
    }
    (void)w.send_json(200, {{"LayersSize", *layers},
                            {"Images", list},
                            {"Containers", containers},
                            {"Volumes", Json::array()},
                            {"BuildCache", nullptr},
                            {"BuilderSize", 0}});
}

}  // namespace

void add_system_routes(http::Router& r, engine::Daemon& d) {
    auto facts = std::make_shared<HostFacts>(host_facts());
    r.add("GET", "/_ping", ping);
    r.add("HEAD", "/_ping", ping);
    r.add("GET", "/version",
          [facts](Request&, ResponseWriter& w) { (void)w.send_json(200, version_json(*facts)); });
    r.add("GET", "/info", [&d, facts](Request&, ResponseWriter& w) {
        (void)w.send_json(200, info_json(d, *facts));
    });
    r.add("GET", "/events", [&d](Request& req, ResponseWriter& w) { events(d, req, w); });
    r.add("GET", "/system/df", [&d](Request& req, ResponseWriter& w) { disk_usage(d, req, w); });
}

}  // namespace berth::api

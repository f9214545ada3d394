#include "engine/container_settings.hpp"

#include "cli/format/units.hpp"
#include "engine/container_settings_internal.hpp"
#include "engine/oci_spec_builder.hpp"

namespace berth::engine {

using detail::HostChecks;
using detail::invalid;

namespace {

std::vector<std::string> strings_of(const Json& j) {
    std::vector<std::string> out;
    if (j.is_array())
        for (auto& e : j) out.push_back(e.get<std::string>());
    return out;
}

std::optional<HealthSettings> health_of(const Json& config) {
    auto it = config.find("Healthcheck");
    if (it == config.end() || !it->is_object()) return std::nullopt;
    auto test = strings_of(it->value("Test", Json()));
    if (test.empty() || test[0] == "NONE") return std::nullopt;
    auto num = [&](const char* k) -> std::int64_t {
        auto v = it->find(k);
        return v != it->end() && v->is_number_integer() ? v->get<std::int64_t>() : 0;
    };
    return HealthSettings{std::move(test), num("Interval"), num("Timeout"), num("StartPeriod"),
                          static_cast<int>(num("Retries"))};
}

// Splits a create body into its three parts: Config's fields sit at the top level.
struct RequestParts {
    Json config = Json::object(), host_config, networking_config;
};

Result<RequestParts> split_request(const Json& body) {
    if (!body.is_object()) return invalid("Config cannot be empty in order to create a container");
    RequestParts p;
    for (auto& [k, v] : body.items()) {
        if (k == "HostConfig") p.host_config = v;
        else if (k == "NetworkingConfig") p.networking_config = v;
        else p.config[k] = v;
    }
    return p;
}

Result<ContainerSettings> build(const Json& config, const Json& host_config, const Json& networking,
                                HostChecks checks, std::vector<std::string>& warnings) {
    ContainerSettings s;
    s.config = BERTH_TRY(detail::normalize_config(config));
    s.host_config = BERTH_TRY(detail::normalize_host_config(host_config));
    s.networking_config = networking;
    BERTH_TRYV(detail::validate_config(s.config));
    BERTH_TRYV(detail::validate_host_config(s.host_config, checks, warnings));
    detail::refresh_typed_view(s);
    return s;
}

}  // namespace

namespace detail {

void refresh_typed_view(ContainerSettings& s) {
    const Json& c = s.config;
    const Json& h = s.host_config;
    s.image = c["Image"];
    s.entrypoint = strings_of(c["Entrypoint"]);
    // `--entrypoint ""` arrives as [""]: no entrypoint at all.
    if (s.entrypoint.size() == 1 && s.entrypoint[0].empty()) s.entrypoint.clear();
    s.cmd = strings_of(c["Cmd"]);
    s.env = strings_of(c["Env"]);
    s.working_dir = c["WorkingDir"];
    s.user = c["User"];
    s.hostname = c["Hostname"];
    s.domainname = c["Domainname"];
    s.stop_signal = c.value("StopSignal", std::string());
    if (s.stop_signal.empty()) s.stop_signal = "SIGTERM";
    s.stop_timeout = c.contains("StopTimeout") ? std::optional<int>(c["StopTimeout"].get<int>()) : std::nullopt;
    s.tty = c["Tty"];
    s.open_stdin = c["OpenStdin"];
    s.stdin_once = c["StdinOnce"];
    s.attach_stdin = c["AttachStdin"];
    s.attach_stdout = c["AttachStdout"];
    s.attach_stderr = c["AttachStderr"];
    s.labels.clear();
    if (c["Labels"].is_object())
        for (auto& [k, v] : c["Labels"].items()) s.labels[k] = v.get<std::string>();
    s.healthcheck = health_of(c);

    s.restart = RestartPolicy{h["RestartPolicy"]["Name"], h["RestartPolicy"]["MaximumRetryCount"].get<int>()};
    s.auto_remove = h["AutoRemove"];
    s.log = LogConfig{h["LogConfig"]["Type"], {}};
    for (auto& [k, v] : h["LogConfig"]["Config"].items()) s.log.config[k] = v.get<std::string>();
    s.network_mode = h["NetworkMode"];
    s.init = h.value("Init", Json()).is_boolean() && h["Init"].get<bool>();
    s.privileged = h["Privileged"];
    s.read_only = h["ReadonlyRootfs"];
}

}  // namespace detail

Result<ContainerSettings> parse_create_request(const Json& body, std::vector<std::string>* warnings) {
    auto parts = BERTH_TRY(split_request(body));
    std::vector<std::string> local;
    auto s = BERTH_TRY(build(parts.config, parts.host_config, parts.networking_config, HostChecks::on,
                             warnings ? *warnings : local));
    // dockerd records the default masked and read-only paths at create, so a
    // later daemon with other defaults runs the container as it was made.
    auto& h = s.host_config;
    if (!s.privileged) {
        if (h["MaskedPaths"].is_null()) h["MaskedPaths"] = docker_masked_paths();
        if (h["ReadonlyPaths"].is_null()) h["ReadonlyPaths"] = docker_readonly_paths();
    }
    return s;
}

Result<ContainerSettings> settings_from_json(const Json& config, const Json& host_config,
                                             const Json& networking_config) {
    std::vector<std::string> ignored;
    return with_context(build(config, host_config, networking_config, HostChecks::off, ignored),
                        "stored container settings");
}

Result<std::vector<std::string>> apply_update(ContainerSettings& s, const Json& body) {
    if (!body.is_object()) return invalid("update body must be a JSON object");
    // docker update changes only what it is given non-zero (container/update.go).
    static const std::vector<const char*> updatable = {
        "BlkioWeight", "CpuShares", "CpuPeriod", "CpuQuota", "CpusetCpus", "CpusetMems",
        "Memory", "MemoryReservation", "MemorySwap", "KernelMemory", "NanoCpus", "PidsLimit"};
    Json h = s.host_config;
    bool memory_given = false, swap_given = false;
    for (auto* k : updatable) {
        auto it = body.find(k);
        if (it == body.end() || it->is_null()) continue;
        bool is_string_field = std::string_view(k).starts_with("Cpuset");
        if (is_string_field ? !it->is_string() : !it->is_number_integer())
            return invalid(std::string("json: cannot unmarshal ") + it->type_name() + " into " + k);
        bool zero = is_string_field ? it->get<std::string>().empty() : it->get<long long>() == 0;
        if (zero && std::string_view(k) != "PidsLimit") continue;
        h[k] = *it;
        memory_given |= std::string_view(k) == "Memory";
        swap_given |= std::string_view(k) == "MemorySwap";
    }
    if (memory_given && !swap_given && h["MemorySwap"].get<long long>() > 0 &&
        h["Memory"].get<long long>() > h["MemorySwap"].get<long long>())
        return invalid("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
    // NanoCpus and CpuPeriod/CpuQuota replace each other rather than conflict.
    if (body.contains("NanoCpus") && body["NanoCpus"].is_number_integer() && body["NanoCpus"] != 0) {
        if (!body.contains("CpuPeriod")) h["CpuPeriod"] = 0;
        if (!body.contains("CpuQuota")) h["CpuQuota"] = 0;
    } else if ((body.contains("CpuPeriod") && body["CpuPeriod"] != 0) ||
               (body.contains("CpuQuota") && body["CpuQuota"] != 0)) {
        h["NanoCpus"] = 0;
    }
    if (auto rp = body.find("RestartPolicy"); rp != body.end() && rp->is_object()) {
        if (s.auto_remove)
            return invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
        Json policy = *rp;
        if (!policy.contains("Name") || !policy["Name"].is_string() || policy["Name"] == "") policy["Name"] = "no";
        if (!policy.contains("MaximumRetryCount") || !policy["MaximumRetryCount"].is_number_integer())
            policy["MaximumRetryCount"] = 0;
        h["RestartPolicy"] = policy;
        BERTH_TRYV(detail::validate_restart_policy(h));
    }
    std::vector<std::string> warnings;
    BERTH_TRYV(detail::validate_resources(h, HostChecks::on, true, warnings));
    s.host_config = std::move(h);
    detail::refresh_typed_view(s);
    return warnings;
}

Result<std::int64_t> parse_docker_size(std::string_view text) {
    auto r = cli::parse_size(text);
    if (!r) return std::unexpected(Error{0, r.error().message, ErrorKind::invalid_argument});
    return *r;
}

}  // namespace berth::engine

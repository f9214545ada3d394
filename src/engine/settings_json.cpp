// Config and HostConfig as dockerd stores and shows them: the Go structs'
// zero values filled in, so inspect output carries every key docker 20.10 shows.
#include <sys/stat.h>

#include "base/file.hpp"
#include "engine/container_settings_internal.hpp"

namespace berth::engine::detail {

namespace {

// What a key holds, to refuse what Go's json.Unmarshal would refuse.
enum class Kind { string, boolean, integer, array, object, strings_or_string, any };

struct Field {
    const char* key;
    Kind kind;
    Json zero;  // what inspect shows when the client left it out
};

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::string: return "string";
        case Kind::boolean: return "bool";
        case Kind::integer: return "integer";
        case Kind::array: return "array";
        case Kind::object: return "object";
        case Kind::strings_or_string: return "string or array of strings";
        case Kind::any: return "value";
    }
    return "value";
}

bool has_kind(const Json& v, Kind k) {
    switch (k) {
        case Kind::string: return v.is_string();
        case Kind::boolean: return v.is_boolean();
        case Kind::integer: return v.is_number_integer();
        case Kind::array: return v.is_array();
        case Kind::object: return v.is_object();
        case Kind::strings_or_string:
            if (v.is_string()) return true;
            if (!v.is_array()) return false;
            for (auto& e : v)
                if (!e.is_string()) return false;
            return true;
        case Kind::any: return true;
    }
    return false;
}

// Copies the known fields of `given` over their zero values; null keeps the
// zero. Unknown keys are dropped, as decoding into dockerd's structs drops them.
Result<Json> fill(const Json& given, const std::vector<Field>& fields, std::string_view what,
                  const std::vector<const char*>& omit_when_absent) {
    if (!given.is_null() && !given.is_object())
        return invalid(std::string(what) + " must be a JSON object");
    Json out = Json::object();
    for (auto& f : fields) {
        auto it = given.is_object() ? given.find(f.key) : given.end();
        bool present = given.is_object() && it != given.end() && !it->is_null();
        if (!present) {
            bool omit = std::ranges::find_if(omit_when_absent, [&](const char* k) {
                            return std::string_view(k) == f.key;
                        }) != omit_when_absent.end();
            if (!omit) out[f.key] = f.zero;
            continue;
        }
        if (!has_kind(*it, f.kind))
            return invalid("json: cannot unmarshal " + std::string(it->type_name()) + " into " +
                           std::string(what) + "." + f.key + " of type " + kind_name(f.kind));
        out[f.key] = *it;
    }
    return out;
}

Result<void> check_string_values(const Json& obj, std::string_view what) {
    if (!obj.is_object()) return {};
    for (auto& [k, v] : obj.items())
        if (!v.is_string())
            return invalid("json: cannot unmarshal " + std::string(v.type_name()) + " into " +
                           std::string(what) + "[" + k + "] of type string");
    return {};
}

Result<void> check_string_array(const Json& arr, std::string_view what) {
    if (!arr.is_array()) return {};
    for (auto& v : arr)
        if (!v.is_string())
            return invalid("json: cannot unmarshal " + std::string(v.type_name()) + " into " +
                           std::string(what) + " of type string");
    return {};
}

// cgroup v2 hosts get a private cgroup namespace by default (docker 20.10).
std::string default_cgroupns_mode() {
    struct stat st{};
    return ::stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0 ? "private" : "host";
}

}  // namespace

Result<Json> normalize_config(const Json& given) {
    static const std::vector<Field> fields = {
        {"Hostname", Kind::string, ""},
        {"Domainname", Kind::string, ""},
        {"User", Kind::string, ""},
        {"AttachStdin", Kind::boolean, false},
        {"AttachStdout", Kind::boolean, false},
        {"AttachStderr", Kind::boolean, false},
        {"ExposedPorts", Kind::object, nullptr},
        {"Tty", Kind::boolean, false},
        {"OpenStdin", Kind::boolean, false},
        {"StdinOnce", Kind::boolean, false},
        {"Env", Kind::array, nullptr},
        {"Cmd", Kind::strings_or_string, nullptr},
        {"Healthcheck", Kind::object, nullptr},
        {"ArgsEscaped", Kind::boolean, false},
        {"Image", Kind::string, ""},
        {"Volumes", Kind::object, nullptr},
        {"WorkingDir", Kind::string, ""},
        {"Entrypoint", Kind::strings_or_string, nullptr},
        {"NetworkDisabled", Kind::boolean, false},
        {"MacAddress", Kind::string, ""},
        {"OnBuild", Kind::array, nullptr},
        {"Labels", Kind::object, Json::object()},
        {"StopSignal", Kind::string, ""},
        {"StopTimeout", Kind::integer, nullptr},
        {"Shell", Kind::array, nullptr},
    };
    // `omitempty` fields of container.Config: absent from inspect unless set.
    static const std::vector<const char*> omitted = {
        "ExposedPorts", "Healthcheck", "ArgsEscaped", "NetworkDisabled", "MacAddress",
        "StopSignal", "StopTimeout", "Shell"};
    Json c = BERTH_TRY(fill(given, fields, "Config", omitted));
    // strslice: a lone string is a one-element command.
    for (auto* k : {"Cmd", "Entrypoint"})
        if (c[k].is_string()) c[k] = Json::array({c[k]});
    BERTH_TRYV(check_string_array(c["Env"], "Config.Env"));
    BERTH_TRYV(check_string_array(c["OnBuild"], "Config.OnBuild"));
    if (c.contains("Shell")) BERTH_TRYV(check_string_array(c["Shell"], "Config.Shell"));
    BERTH_TRYV(check_string_values(c["Labels"], "Config.Labels"));
    return c;
}

Result<Json> normalize_host_config(const Json& given) {
    const std::vector<Field> fields = {
        {"Binds", Kind::array, nullptr},
        {"ContainerIDFile", Kind::string, ""},
        {"LogConfig", Kind::object, Json{{"Type", "json-file"}, {"Config", Json::object()}}},
        {"NetworkMode", Kind::string, "default"},
        {"PortBindings", Kind::object, Json::object()},
        {"RestartPolicy", Kind::object, Json{{"Name", "no"}, {"MaximumRetryCount", 0}}},
        {"AutoRemove", Kind::boolean, false},
        {"VolumeDriver", Kind::string, ""},
        {"VolumesFrom", Kind::array, nullptr},
        {"CapAdd", Kind::array, nullptr},
        {"CapDrop", Kind::array, nullptr},
        {"CgroupnsMode", Kind::string, default_cgroupns_mode()},
        {"Dns", Kind::array, Json::array()},
        {"DnsOptions", Kind::array, Json::array()},
        {"DnsSearch", Kind::array, Json::array()},
        {"ExtraHosts", Kind::array, nullptr},
        {"GroupAdd", Kind::array, nullptr},
        {"IpcMode", Kind::string, "private"},
        {"Cgroup", Kind::string, ""},
        {"Links", Kind::array, nullptr},
        {"OomScoreAdj", Kind::integer, 0},
        {"PidMode", Kind::string, ""},
        {"Privileged", Kind::boolean, false},
        {"PublishAllPorts", Kind::boolean, false},
        {"ReadonlyRootfs", Kind::boolean, false},
        {"SecurityOpt", Kind::array, nullptr},
        {"StorageOpt", Kind::object, nullptr},
        {"Tmpfs", Kind::object, nullptr},
        {"UTSMode", Kind::string, ""},
        {"UsernsMode", Kind::string, ""},
        {"ShmSize", Kind::integer, 67108864},
        {"Sysctls", Kind::object, nullptr},
        // The OCI runtime behind berth is berth-runtime; inspect keeps Docker's
        // word for the default runtime so clients that check it are not surprised.
        {"Runtime", Kind::string, "runc"},
        {"ConsoleSize", Kind::array, Json::array({0, 0})},
        {"Isolation", Kind::string, ""},
        {"CpuShares", Kind::integer, 0},
        {"Memory", Kind::integer, 0},
        {"NanoCpus", Kind::integer, 0},
        {"CgroupParent", Kind::string, ""},
        {"BlkioWeight", Kind::integer, 0},
        {"BlkioWeightDevice", Kind::array, Json::array()},
        {"BlkioDeviceReadBps", Kind::array, nullptr},
        {"BlkioDeviceWriteBps", Kind::array, nullptr},
        {"BlkioDeviceReadIOps", Kind::array, nullptr},
        {"BlkioDeviceWriteIOps", Kind::array, nullptr},
        {"CpuPeriod", Kind::integer, 0},
        {"CpuQuota", Kind::integer, 0},
        {"CpuRealtimePeriod", Kind::integer, 0},
        {"CpuRealtimeRuntime", Kind::integer, 0},
        {"CpusetCpus", Kind::string, ""},
        {"CpusetMems", Kind::string, ""},
        {"Devices", Kind::array, Json::array()},
        {"DeviceCgroupRules", Kind::array, nullptr},
        {"DeviceRequests", Kind::array, nullptr},
        {"KernelMemory", Kind::integer, 0},
        {"KernelMemoryTCP", Kind::integer, 0},
        {"MemoryReservation", Kind::integer, 0},
        {"MemorySwap", Kind::integer, 0},
        {"MemorySwappiness", Kind::integer, nullptr},
        {"OomKillDisable", Kind::boolean, false},
        {"PidsLimit", Kind::integer, nullptr},
        {"Ulimits", Kind::array, nullptr},
        {"CpuCount", Kind::integer, 0},
        {"CpuPercent", Kind::integer, 0},
        {"IOMaximumIOps", Kind::integer, 0},
        {"IOMaximumBandwidth", Kind::integer, 0},
        {"Mounts", Kind::array, nullptr},
        {"MaskedPaths", Kind::array, nullptr},
        {"ReadonlyPaths", Kind::array, nullptr},
        {"Init", Kind::boolean, nullptr},
    };
    static const std::vector<const char*> omitted = {"StorageOpt", "Tmpfs", "Sysctls", "Mounts",
                                                     "Init"};
    Json h = BERTH_TRY(fill(given, fields, "HostConfig", omitted));
    for (auto* k : {"Binds", "VolumesFrom", "CapAdd", "CapDrop", "Dns", "DnsOptions", "DnsSearch",
                    "ExtraHosts", "GroupAdd", "Links", "SecurityOpt", "DeviceCgroupRules",
                    "MaskedPaths", "ReadonlyPaths"})
        BERTH_TRYV(check_string_array(h[k], std::string("HostConfig.") + k));
    for (auto* k : {"StorageOpt", "Tmpfs", "Sysctls"})
        if (h.contains(k)) BERTH_TRYV(check_string_values(h[k], std::string("HostConfig.") + k));
    // Nested defaults: {"RestartPolicy": {}} still shows Name "no" (dockerd fills it).
    auto& rp = h["RestartPolicy"];
    if (!rp.contains("Name") || !rp["Name"].is_string() || rp["Name"] == "") rp["Name"] = "no";
    if (!rp.contains("MaximumRetryCount") || !rp["MaximumRetryCount"].is_number_integer())
        rp["MaximumRetryCount"] = 0;
    auto& lc = h["LogConfig"];
    if (!lc.contains("Type") || !lc["Type"].is_string() || lc["Type"] == "") lc["Type"] = "json-file";
    if (!lc.contains("Config") || lc["Config"].is_null()) lc["Config"] = Json::object();
    if (!lc["Config"].is_object()) return invalid("HostConfig.LogConfig.Config must be an object");
    BERTH_TRYV(check_string_values(lc["Config"], "HostConfig.LogConfig.Config"));
    if (h["NetworkMode"] == "") h["NetworkMode"] = "default";
    if (h["IpcMode"] == "") h["IpcMode"] = "private";
    if (h["CgroupnsMode"] == "") h["CgroupnsMode"] = default_cgroupns_mode();
    return h;
}

}  // namespace berth::engine::detail

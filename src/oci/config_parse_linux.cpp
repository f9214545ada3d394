// config.json "linux" (config-linux.md): namespaces, id mappings, devices and the
// other Linux-only settings; resources and seccomp have their own files.
#include <string_view>
#include <utility>

#include "oci/config_parse_internal.hpp"

namespace berth::oci::detail {

namespace {

std::optional<NamespaceType> namespace_type_from_name(std::string_view s) {
    static constexpr std::pair<std::string_view, NamespaceType> kTypes[] = {
        {"pid", NamespaceType::pid},       {"network", NamespaceType::network},
        {"mount", NamespaceType::mount},   {"ipc", NamespaceType::ipc},
        {"uts", NamespaceType::uts},       {"user", NamespaceType::user},
        {"cgroup", NamespaceType::cgroup}, {"time", NamespaceType::time},
    };
    for (auto& [name, t] : kTypes)
        if (name == s) return t;
    return std::nullopt;
}

Result<Namespace> parse_namespace(const JsonNode& n) {
    auto type_node = n.member("type");
    if (!type_node) return n.error("type: required");
    std::string type;
    BERTH_TRYV(read(*type_node, type));
    auto t = namespace_type_from_name(type);
    if (!t) return type_node->error("unknown namespace type \"" + type + "\"");
    Namespace ns{*t, {}};
    BERTH_TRYV(get(n, "path", ns.path));
    return ns;
}

Result<IdMapping> parse_id_mapping(const JsonNode& n) {
    IdMapping m;
    BERTH_TRYV(get(n, "containerID", m.container_id));
    BERTH_TRYV(get(n, "hostID", m.host_id));
    BERTH_TRYV(get(n, "size", m.size));
    return m;
}

Result<Device> parse_device(const JsonNode& n) {
    Device d;
    d.type = 0;  // "required"; reported by validation
    if (auto t = n.member("type")) {
        std::string s;
        BERTH_TRYV(read(*t, s));
        if (s.size() != 1) return t->error("must be one of c, b, u, p, got \"" + s + "\"");
        d.type = s[0];
    }
    BERTH_TRYV(get(n, "path", d.path));
    // config-linux.md "Devices": major and minor are REQUIRED unless type is p
    // (a FIFO has no device number). A zero default would silently mean 0:0.
    for (const char* key : {"major", "minor"})
        if (d.type != 'p' && !n.member(key))
            return n.error(std::string(key) + ": required for device type " +
                           std::string(1, d.type ? d.type : '?'));
    BERTH_TRYV(get(n, "major", d.major));
    BERTH_TRYV(get(n, "minor", d.minor));
    BERTH_TRYV(get(n, "fileMode", d.file_mode));
    BERTH_TRYV(get(n, "uid", d.uid));
    BERTH_TRYV(get(n, "gid", d.gid));
    return d;
}

struct TimeOffset {
    std::optional<int64_t> secs;
    std::optional<uint32_t> nanosecs;
};

Result<TimeOffset> parse_time_offset(const JsonNode& n) {
    TimeOffset t;
    BERTH_TRYV(get(n, "secs", t.secs));
    BERTH_TRYV(get(n, "nanosecs", t.nanosecs));
    return t;
}

Result<void> parse_time_offsets(const JsonNode& n, Linux& l) {
    std::map<std::string, TimeOffset> offsets;
    BERTH_TRYV(get_map(n, "timeOffsets", offsets, parse_time_offset));
    for (auto& [clock, off] : offsets) {
        // An entry with neither field still says "this clock": keep it as 0 s.
        if (off.secs || !off.nanosecs) l.time_offsets_secs[clock] = off.secs.value_or(0);
        if (off.nanosecs) l.time_offsets_nsecs[clock] = *off.nanosecs;
    }
    return {};
}

Result<NetDevice> parse_net_device(const JsonNode& n) {
    NetDevice d;
    BERTH_TRYV(get(n, "name", d.name));
    return d;
}

Result<IntelRdt> parse_intel_rdt(const JsonNode& n) {
    IntelRdt r;
    BERTH_TRYV(get(n, "closID", r.clos_id));
    BERTH_TRYV(get(n, "schemata", r.schemata));
    BERTH_TRYV(get(n, "l3CacheSchema", r.l3_cache_schema));
    BERTH_TRYV(get(n, "memBwSchema", r.mem_bw_schema));
    BERTH_TRYV(get(n, "enableMonitoring", r.enable_monitoring));
    return r;
}

Result<MemoryPolicy> parse_memory_policy(const JsonNode& n) {
    MemoryPolicy p;
    BERTH_TRYV(get(n, "mode", p.mode));
    BERTH_TRYV(get(n, "nodes", p.nodes));
    BERTH_TRYV(get(n, "flags", p.flags));
    return p;
}

Result<Personality> parse_personality(const JsonNode& n) {
    Personality p;
    BERTH_TRYV(get(n, "domain", p.domain));
    BERTH_TRYV(get(n, "flags", p.flags));
    return p;
}

}  // namespace

Result<Linux> parse_linux_object(const JsonNode& n) {
    Linux l;
    BERTH_TRYV(get_array(n, "namespaces", l.namespaces, parse_namespace));
    BERTH_TRYV(get_array(n, "uidMappings", l.uid_mappings, parse_id_mapping));
    BERTH_TRYV(get_array(n, "gidMappings", l.gid_mappings, parse_id_mapping));
    BERTH_TRYV(parse_time_offsets(n, l));
    BERTH_TRYV(get_array(n, "devices", l.devices, parse_device));
    BERTH_TRYV(get_map(n, "netDevices", l.net_devices, parse_net_device));
    BERTH_TRYV(get(n, "cgroupsPath", l.cgroups_path));
    BERTH_TRYV(get_object(n, "resources", l.resources, parse_resources_object));
    BERTH_TRYV(get(n, "rootfsPropagation", l.rootfs_propagation));
    BERTH_TRYV(get_object(n, "seccomp", l.seccomp, parse_seccomp_object));
    BERTH_TRYV(get(n, "sysctl", l.sysctl));
    BERTH_TRYV(get(n, "maskedPaths", l.masked_paths));
    BERTH_TRYV(get(n, "readonlyPaths", l.readonly_paths));
    BERTH_TRYV(get(n, "mountLabel", l.mount_label));
    BERTH_TRYV(get_object(n, "personality", l.personality, parse_personality));
    BERTH_TRYV(get_object(n, "intelRdt", l.intel_rdt, parse_intel_rdt));
    BERTH_TRYV(get_object(n, "memoryPolicy", l.memory_policy, parse_memory_policy));
    return l;
}

}  // namespace berth::oci::detail

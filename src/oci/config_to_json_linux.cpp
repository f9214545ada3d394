// oci::Linux (with resources and seccomp) -> the "linux" object of config.json,
// keys as config-linux.md spells them.
#include <set>

#include "oci/config_parse_internal.hpp"
#include "oci/json_writer.hpp"

namespace berth::oci::detail {

namespace {

Json id_mapping_to_json(const IdMapping& m) {
    return {{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
}

Json namespace_to_json(const Namespace& ns) {
    Json j = {{"type", namespace_type_name(ns.type)}};
    put_nonempty(j, "path", ns.path);
    return j;
}

Json device_to_json(const Device& d) {
    Json j = {{"type", std::string(1, d.type)}, {"path", d.path}};
    if (d.type != 'p' || d.major != 0 || d.minor != 0) {
        j["major"] = d.major;
        j["minor"] = d.minor;
    }
    put_if(j, "fileMode", d.file_mode);
    put_if(j, "uid", d.uid);
    put_if(j, "gid", d.gid);
    return j;
}

Json time_offsets_to_json(const Linux& l) {
    Json j = Json::object();
    for (auto& [clock, secs] : l.time_offsets_secs) j[clock]["secs"] = secs;
    for (auto& [clock, nsecs] : l.time_offsets_nsecs) j[clock]["nanosecs"] = nsecs;
    return j;
}

Json intel_rdt_to_json(const IntelRdt& r) {
    Json j = Json::object();
    put_nonempty(j, "closID", r.clos_id);
    put_nonempty(j, "schemata", r.schemata);
    put_nonempty(j, "l3CacheSchema", r.l3_cache_schema);
    put_nonempty(j, "memBwSchema", r.mem_bw_schema);
    if (r.enable_monitoring) j["enableMonitoring"] = true;
    return j;
}

Json memory_policy_to_json(const MemoryPolicy& p) {
    Json j = {{"mode", p.mode}};
    put_nonempty(j, "nodes", p.nodes);
    put_nonempty(j, "flags", p.flags);
    return j;
}

Json device_rule_to_json(const DeviceRule& r) {
    Json j = {{"allow", r.allow}};
    put_nonempty(j, "type", r.type);
    put_if(j, "major", r.major);
    put_if(j, "minor", r.minor);
    put_nonempty(j, "access", r.access);
    return j;
}

Json memory_to_json(const MemoryResources& m) {
    Json j = Json::object();
    put_if(j, "limit", m.limit);
    put_if(j, "reservation", m.reservation);
    put_if(j, "swap", m.swap);
    put_if(j, "kernel", m.kernel);
    put_if(j, "kernelTCP", m.kernel_tcp);
    put_if(j, "swappiness", m.swappiness);
    put_if(j, "disableOOMKiller", m.disable_oom_killer);
    put_if(j, "useHierarchy", m.use_hierarchy);
    put_if(j, "checkBeforeUpdate", m.check_before_update);
    return j;
}

Json cpu_to_json(const CpuResources& c) {
    Json j = Json::object();
    put_if(j, "shares", c.shares);
    put_if(j, "quota", c.quota);
    put_if(j, "burst", c.burst);
    put_if(j, "period", c.period);
    put_if(j, "realtimeRuntime", c.realtime_runtime);
    put_if(j, "realtimePeriod", c.realtime_period);
    put_nonempty(j, "cpus", c.cpus);
    put_nonempty(j, "mems", c.mems);
    put_if(j, "idle", c.idle);
    return j;
}

Json weight_device_to_json(const WeightDevice& d) {
    Json j = {{"major", d.major}, {"minor", d.minor}};
    put_if(j, "weight", d.weight);
    put_if(j, "leafWeight", d.leaf_weight);
    return j;
}

Json throttle_device_to_json(const ThrottleDevice& d) {
    return {{"major", d.major}, {"minor", d.minor}, {"rate", d.rate}};
}

Json block_io_to_json(const BlockIoResources& b) {
    Json j = Json::object();
    put_if(j, "weight", b.weight);
    put_if(j, "leafWeight", b.leaf_weight);
    put_list(j, "weightDevice", b.weight_device, weight_device_to_json);
    put_list(j, "throttleReadBpsDevice", b.throttle_read_bps_device, throttle_device_to_json);
    put_list(j, "throttleWriteBpsDevice", b.throttle_write_bps_device, throttle_device_to_json);
    put_list(j, "throttleReadIOPSDevice", b.throttle_read_iops_device, throttle_device_to_json);
    put_list(j, "throttleWriteIOPSDevice", b.throttle_write_iops_device, throttle_device_to_json);
    return j;
}

Json network_to_json(const NetworkResources& n) {
    Json j = Json::object();
    put_if(j, "classID", n.class_id);
    put_list(j, "priorities", n.priorities, [](const NetworkResources::Priority& p) {
        return Json{{"name", p.name}, {"priority", p.priority}};
    });
    return j;
}

Json rdma_to_json(const std::map<std::string, RdmaLimit>& rdma) {
    Json j = Json::object();
    for (auto& [dev, lim] : rdma) {
        Json e = Json::object();
        put_if(e, "hcaHandles", lim.hca_handles);
        put_if(e, "hcaObjects", lim.hca_objects);
        j[dev] = std::move(e);
    }
    return j;
}

Json seccomp_arg_to_json(const SeccompArg& a) {
    Json j = {{"index", a.index}, {"value", a.value}, {"op", a.op}};
    if (a.value_two != 0) j["valueTwo"] = a.value_two;
    return j;
}

Json seccomp_syscall_to_json(const SeccompSyscall& s) {
    Json j = {{"names", s.names}, {"action", s.action}};
    put_if(j, "errnoRet", s.errno_ret);
    put_list(j, "args", s.args, seccomp_arg_to_json);
    return j;
}

}  // namespace

Json resources_to_json(const Resources& r) {
    Json j = Json::object();
    put_list(j, "devices", r.devices, device_rule_to_json);
    if (r.memory) j["memory"] = memory_to_json(*r.memory);
    if (r.cpu) j["cpu"] = cpu_to_json(*r.cpu);
    if (r.pids) j["pids"] = {{"limit", r.pids->limit}};
    if (r.block_io) j["blockIO"] = block_io_to_json(*r.block_io);
    put_list(j, "hugepageLimits", r.hugepage_limits, [](const HugepageLimit& h) {
        return Json{{"pageSize", h.page_size}, {"limit", h.limit}};
    });
    if (r.network) j["network"] = network_to_json(*r.network);
    put_nonempty(j, "unified", r.unified);
    if (!r.rdma.empty()) j["rdma"] = rdma_to_json(r.rdma);
    return j;
}

Json seccomp_to_json(const Seccomp& s) {
    Json j = {{"defaultAction", s.default_action}};
    put_if(j, "defaultErrnoRet", s.default_errno_ret);
    put_nonempty(j, "architectures", s.architectures);
    put_nonempty(j, "flags", s.flags);
    put_nonempty(j, "listenerPath", s.listener_path);
    put_nonempty(j, "listenerMetadata", s.listener_metadata);
    put_list(j, "syscalls", s.syscalls, seccomp_syscall_to_json);
    return j;
}

Json linux_to_json(const Linux& l) {
    Json j = Json::object();
    put_list(j, "namespaces", l.namespaces, namespace_to_json);
    put_list(j, "uidMappings", l.uid_mappings, id_mapping_to_json);
    put_list(j, "gidMappings", l.gid_mappings, id_mapping_to_json);
    if (Json t = time_offsets_to_json(l); !t.empty()) j["timeOffsets"] = std::move(t);
    put_list(j, "devices", l.devices, device_to_json);
    if (!l.net_devices.empty()) {
        Json nd = Json::object();
        for (auto& [host, d] : l.net_devices) {
            nd[host] = Json::object();
            put_nonempty(nd[host], "name", d.name);
        }
        j["netDevices"] = std::move(nd);
    }
    put_nonempty(j, "cgroupsPath", l.cgroups_path);
    if (l.resources) j["resources"] = resources_to_json(*l.resources);
    put_nonempty(j, "rootfsPropagation", l.rootfs_propagation);
    if (l.seccomp) j["seccomp"] = seccomp_to_json(*l.seccomp);
    put_nonempty(j, "sysctl", l.sysctl);
    put_nonempty(j, "maskedPaths", l.masked_paths);
    put_nonempty(j, "readonlyPaths", l.readonly_paths);
    put_nonempty(j, "mountLabel", l.mount_label);
    if (l.personality) {
        Json p = {{"domain", l.personality->domain}};
        put_nonempty(p, "flags", l.personality->flags);
        j["personality"] = std::move(p);
    }
    if (l.intel_rdt) j["intelRdt"] = intel_rdt_to_json(*l.intel_rdt);
    if (l.memory_policy) j["memoryPolicy"] = memory_policy_to_json(*l.memory_policy);
    return j;
}

}  // namespace berth::oci::detail

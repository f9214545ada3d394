// config.json "linux.resources" (config-linux.md, "Control groups").
#include "oci/config_parse_internal.hpp"

namespace berth::oci::detail {

namespace {

Result<DeviceRule> parse_device_rule(const JsonNode& n) {
    DeviceRule r;
    BERTH_TRYV(get(n, "allow", r.allow));
    BERTH_TRYV(get(n, "type", r.type));
    BERTH_TRYV(get(n, "major", r.major));
    BERTH_TRYV(get(n, "minor", r.minor));
    BERTH_TRYV(get(n, "access", r.access));
    return r;
}

Result<MemoryResources> parse_memory(const JsonNode& n) {
    MemoryResources m;
    BERTH_TRYV(get(n, "limit", m.limit));
    BERTH_TRYV(get(n, "reservation", m.reservation));
    BERTH_TRYV(get(n, "swap", m.swap));
    BERTH_TRYV(get(n, "kernel", m.kernel));
    BERTH_TRYV(get(n, "kernelTCP", m.kernel_tcp));
    BERTH_TRYV(get(n, "swappiness", m.swappiness));
    BERTH_TRYV(get(n, "disableOOMKiller", m.disable_oom_killer));
    BERTH_TRYV(get(n, "useHierarchy", m.use_hierarchy));
    BERTH_TRYV(get(n, "checkBeforeUpdate", m.check_before_update));
    return m;
}

Result<CpuResources> parse_cpu(const JsonNode& n) {
    CpuResources c;
    BERTH_TRYV(get(n, "shares", c.shares));
    BERTH_TRYV(get(n, "quota", c.quota));
    BERTH_TRYV(get(n, "burst", c.burst));
    BERTH_TRYV(get(n, "period", c.period));
    BERTH_TRYV(get(n, "realtimeRuntime", c.realtime_runtime));
    BERTH_TRYV(get(n, "realtimePeriod", c.realtime_period));
    BERTH_TRYV(get(n, "cpus", c.cpus));
    BERTH_TRYV(get(n, "mems", c.mems));
    BERTH_TRYV(get(n, "idle", c.idle));
    return c;
}

Result<PidsResources> parse_pids(const JsonNode& n) {
    PidsResources p;
    BERTH_TRYV(get(n, "limit", p.limit));
    return p;
}

Result<void> parse_block_device(const JsonNode& n, BlockIoDevice& d) {
    BERTH_TRYV(get(n, "major", d.major));
    BERTH_TRYV(get(n, "minor", d.minor));
    return {};
}

Result<WeightDevice> parse_weight_device(const JsonNode& n) {
    WeightDevice d;
    BERTH_TRYV(parse_block_device(n, d));
    BERTH_TRYV(get(n, "weight", d.weight));
    BERTH_TRYV(get(n, "leafWeight", d.leaf_weight));
    return d;
}

Result<ThrottleDevice> parse_throttle_device(const JsonNode& n) {
    ThrottleDevice d;
    BERTH_TRYV(parse_block_device(n, d));
    BERTH_TRYV(get(n, "rate", d.rate));
    return d;
}

Result<BlockIoResources> parse_block_io(const JsonNode& n) {
    BlockIoResources b;
    BERTH_TRYV(get(n, "weight", b.weight));
    BERTH_TRYV(get(n, "leafWeight", b.leaf_weight));
    BERTH_TRYV(get_array(n, "weightDevice", b.weight_device, parse_weight_device));
    BERTH_TRYV(
        get_array(n, "throttleReadBpsDevice", b.throttle_read_bps_device, parse_throttle_device));
    BERTH_TRYV(
        get_array(n, "throttleWriteBpsDevice", b.throttle_write_bps_device, parse_throttle_device));
    BERTH_TRYV(
        get_array(n, "throttleReadIOPSDevice", b.throttle_read_iops_device, parse_throttle_device));
    BERTH_TRYV(get_array(n, "throttleWriteIOPSDevice", b.throttle_write_iops_device,
                         parse_throttle_device));
    return b;
}

Result<HugepageLimit> parse_hugepage_limit(const JsonNode& n) {
    HugepageLimit h;
    BERTH_TRYV(get(n, "pageSize", h.page_size));
    BERTH_TRYV(get(n, "limit", h.limit));
    return h;
}

Result<NetworkResources::Priority> parse_net_priority(const JsonNode& n) {
    NetworkResources::Priority p;
    BERTH_TRYV(get(n, "name", p.name));
    BERTH_TRYV(get(n, "priority", p.priority));
    return p;
}

Result<NetworkResources> parse_network(const JsonNode& n) {
    NetworkResources r;
    BERTH_TRYV(get(n, "classID", r.class_id));
    BERTH_TRYV(get_array(n, "priorities", r.priorities, parse_net_priority));
    return r;
}

Result<RdmaLimit> parse_rdma_limit(const JsonNode& n) {
    RdmaLimit r;
    BERTH_TRYV(get(n, "hcaHandles", r.hca_handles));
    BERTH_TRYV(get(n, "hcaObjects", r.hca_objects));
    return r;
}

}  // namespace

Result<Resources> parse_resources_object(const JsonNode& n) {
    Resources r;
    BERTH_TRYV(get_array(n, "devices", r.devices, parse_device_rule));
    BERTH_TRYV(get_object(n, "memory", r.memory, parse_memory));
    BERTH_TRYV(get_object(n, "cpu", r.cpu, parse_cpu));
    BERTH_TRYV(get_object(n, "pids", r.pids, parse_pids));
    BERTH_TRYV(get_object(n, "blockIO", r.block_io, parse_block_io));
    BERTH_TRYV(get_array(n, "hugepageLimits", r.hugepage_limits, parse_hugepage_limit));
    BERTH_TRYV(get_object(n, "network", r.network, parse_network));
    BERTH_TRYV(get(n, "unified", r.unified));
    BERTH_TRYV(get_map(n, "rdma", r.rdma, parse_rdma_limit));
    return r;
}

}  // namespace berth::oci::detail

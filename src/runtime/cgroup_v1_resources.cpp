// linux.resources on cgroup v1: one function per controller, each writing only
// the fields the config sets (config-linux.md "Control groups").
#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

std::string num(int64_t v) {
    return std::to_string(v);
}
std::string unum(uint64_t v) {
    return std::to_string(v);
}

// "c 1:3 rwm"; unset or negative major/minor is the wildcard '*'.
std::string v1_device_rule(const oci::DeviceRule& r) {
    auto part = [](const std::optional<int64_t>& v) { return v && *v >= 0 ? num(*v) : "*"; };
    std::string type = r.type.empty() ? "a" : r.type;
    std::string access = r.access.empty() ? "rwm" : r.access;
    return type + " " + part(r.major) + ":" + part(r.minor) + " " + access;
}

// Like runc: start from deny-all, then each rule in order, so the list ends up
// exactly as the config says whatever was allowed before (an update included).
Result<void> apply_devices(const V1Dirs& d, const std::vector<oci::DeviceRule>& rules) {
    if (rules.empty()) return {};
    auto dir = BERTH_TRY(d.need("devices", "linux.resources.devices"));
    BERTH_TRYV(write_file(dir, "devices.deny", "a"));
    for (auto& rule : rules)
        BERTH_TRYV(
            write_file(dir, rule.allow ? "devices.allow" : "devices.deny", v1_device_rule(rule)));
    return {};
}

// memory.memsw.limit_in_bytes (memory+swap) must stay >= memory.limit_in_bytes at
// every moment, so a raise writes memsw first and a cut writes the limit first.
Result<void> apply_memory_limits(const std::string& dir, std::optional<int64_t> limit,
                                 std::optional<int64_t> swap) {
    bool has_memsw = has_file(dir, "memory.memsw.limit_in_bytes");
    // Unlimited memory with swap unset means unlimited memory+swap too, or the
    // kernel refuses a limit above the current memsw one.
    if (limit == -1 && !swap && has_memsw) swap = -1;
    if (swap && limit && *swap != -1 && *limit != -1 && *swap < *limit)
        return fail("linux.resources.memory.swap (" + num(*swap) + ") must be >= memory.limit (" +
                    num(*limit) + "): it counts memory+swap");
    if (swap && !has_memsw) {
        // Swap accounting is off (no memsw files): fine unless swap was really asked for.
        if (*swap == -1 || swap == limit)
            swap.reset();
        else
            return fail("linux.resources.memory.swap set but " + dir +
                        "/memory.memsw.limit_in_bytes is missing (swap accounting is off)");
    }
    if (!swap) {
        if (limit) BERTH_TRYV(write_file(dir, "memory.limit_in_bytes", num(*limit)));
        return {};
    }
    std::string memsw = num(*swap);
    auto cur = parse_int(BERTH_TRY(read_trimmed(dir, "memory.memsw.limit_in_bytes")));
    bool raising = *swap == -1 || !cur || *swap >= *cur;
    if (raising) BERTH_TRYV(write_file(dir, "memory.memsw.limit_in_bytes", memsw));
    if (limit) BERTH_TRYV(write_file(dir, "memory.limit_in_bytes", num(*limit)));
    if (!raising) BERTH_TRYV(write_file(dir, "memory.memsw.limit_in_bytes", memsw));
    return {};
}

Result<void> apply_memory(const V1Dirs& d, const oci::MemoryResources& m) {
    auto dir = BERTH_TRY(d.need("memory", "linux.resources.memory"));
    BERTH_TRYV(apply_memory_limits(dir, m.limit, m.swap));
    if (m.reservation)
        BERTH_TRYV(write_file(dir, "memory.soft_limit_in_bytes", num(*m.reservation)));
    // Kernel memory limits are gone from the kernel (5.16+ ignores, later removes):
    // runc ignores them too.
    if (m.kernel) log::warn("linux.resources.memory.kernel is ignored (deprecated by the kernel)");
    if (m.kernel_tcp)
        BERTH_TRYV(write_file(dir, "memory.kmem.tcp.limit_in_bytes", num(*m.kernel_tcp)));
    if (m.swappiness) {
        if (*m.swappiness > 100)
            return fail("linux.resources.memory.swappiness " + unum(*m.swappiness) +
                        ": must be 0..100");
        BERTH_TRYV(write_file(dir, "memory.swappiness", unum(*m.swappiness)));
    }
    if (m.disable_oom_killer.value_or(false))
        BERTH_TRYV(write_file(dir, "memory.oom_control", "1"));
    if (m.use_hierarchy)
        BERTH_TRYV(write_file(dir, "memory.use_hierarchy", *m.use_hierarchy ? "1" : "0"));
    return {};
}

// The kernel checks quota against period (and rt runtime against rt period) on
// each write, so when the first write of a pair is refused, the other order works.
Result<void> write_pair(const std::string& dir, std::string_view f1, const std::string& v1,
                        std::string_view f2, const std::string& v2) {
    auto first = write_file(dir, f1, v1);
    if (first) return write_file(dir, f2, v2);
    if (first.error().sys_errno != EINVAL) return first;
    BERTH_TRYV(write_file(dir, f2, v2));
    return write_file(dir, f1, v1);
}

Result<void> apply_cpu(const V1Dirs& d, const oci::CpuResources& c) {
    bool wants_cpu = c.shares || c.quota || c.period || c.burst || c.realtime_runtime ||
                     c.realtime_period || c.idle;
    if (!wants_cpu) return {};
    auto dir = BERTH_TRY(d.need("cpu", "linux.resources.cpu"));
    if (c.shares) BERTH_TRYV(write_file(dir, "cpu.shares", unum(*c.shares)));
    if (c.period && c.quota)
        BERTH_TRYV(write_pair(dir, "cpu.cfs_period_us", unum(*c.period), "cpu.cfs_quota_us",
                              num(*c.quota)));
    else if (c.period)
        BERTH_TRYV(write_file(dir, "cpu.cfs_period_us", unum(*c.period)));
    else if (c.quota)
        BERTH_TRYV(write_file(dir, "cpu.cfs_quota_us", num(*c.quota)));
    if (c.burst) BERTH_TRYV(write_file(dir, "cpu.cfs_burst_us", unum(*c.burst)));
    if (c.realtime_period && c.realtime_runtime)
        BERTH_TRYV(write_pair(dir, "cpu.rt_period_us", unum(*c.realtime_period),
                              "cpu.rt_runtime_us", num(*c.realtime_runtime)));
    else if (c.realtime_period)
        BERTH_TRYV(write_file(dir, "cpu.rt_period_us", unum(*c.realtime_period)));
    else if (c.realtime_runtime)
        BERTH_TRYV(write_file(dir, "cpu.rt_runtime_us", num(*c.realtime_runtime)));
    if (c.idle) BERTH_TRYV(write_file(dir, "cpu.idle", num(*c.idle)));
    return {};
}

Result<void> apply_cpuset(const V1Dirs& d, const oci::CpuResources& c) {
    if (c.cpus.empty() && c.mems.empty()) return {};
    auto dir = BERTH_TRY(d.need("cpuset", "linux.resources.cpu.cpus/mems"));
    if (!c.cpus.empty()) BERTH_TRYV(write_file(dir, "cpuset.cpus", c.cpus));
    if (!c.mems.empty()) BERTH_TRYV(write_file(dir, "cpuset.mems", c.mems));
    return {};
}

Result<void> apply_pids(const V1Dirs& d, const oci::PidsResources& p) {
    auto dir = BERTH_TRY(d.need("pids", "linux.resources.pids"));
    return write_file(dir, "pids.max", p.limit > 0 ? num(p.limit) : "max");
}

std::string dev(const oci::BlockIoDevice& b) {
    return num(b.major) + ":" + num(b.minor);
}

Result<void> write_throttle(const std::string& dir, std::string_view file,
                            const std::vector<oci::ThrottleDevice>& devices) {
    for (auto& t : devices) BERTH_TRYV(write_file(dir, file, dev(t) + " " + unum(t.rate)));
    return {};
}

// Kernels with BFQ instead of CFQ name the weight blkio.bfq.weight.
std::string_view weight_file(const std::string& dir) {
    return has_file(dir, "blkio.weight") || !has_file(dir, "blkio.bfq.weight") ? "blkio.weight"
                                                                               : "blkio.bfq.weight";
}

Result<void> apply_blkio(const V1Dirs& d, const oci::BlockIoResources& b) {
    auto dir = BERTH_TRY(d.need("blkio", "linux.resources.blockIO"));
    if (b.weight) BERTH_TRYV(write_file(dir, weight_file(dir), unum(*b.weight)));
    if (b.leaf_weight) BERTH_TRYV(write_file(dir, "blkio.leaf_weight", unum(*b.leaf_weight)));
    for (auto& w : b.weight_device) {
        if (w.weight)
            BERTH_TRYV(write_file(dir, "blkio.weight_device", dev(w) + " " + unum(*w.weight)));
        if (w.leaf_weight)
            BERTH_TRYV(
                write_file(dir, "blkio.leaf_weight_device", dev(w) + " " + unum(*w.leaf_weight)));
    }
    BERTH_TRYV(write_throttle(dir, "blkio.throttle.read_bps_device", b.throttle_read_bps_device));
    BERTH_TRYV(write_throttle(dir, "blkio.throttle.write_bps_device", b.throttle_write_bps_device));
    BERTH_TRYV(write_throttle(dir, "blkio.throttle.read_iops_device", b.throttle_read_iops_device));
    BERTH_TRYV(
        write_throttle(dir, "blkio.throttle.write_iops_device", b.throttle_write_iops_device));
    return {};
}

Result<void> apply_hugetlb(const V1Dirs& d, const std::vector<oci::HugepageLimit>& limits) {
    if (limits.empty()) return {};
    auto dir = BERTH_TRY(d.need("hugetlb", "linux.resources.hugepageLimits"));
    for (auto& h : limits)
        BERTH_TRYV(write_file(dir, "hugetlb." + h.page_size + ".limit_in_bytes", unum(h.limit)));
    return {};
}

Result<void> apply_network(const V1Dirs& d, const oci::NetworkResources& n) {
    if (n.class_id) {
        auto dir = BERTH_TRY(d.need("net_cls", "linux.resources.network.classID"));
        BERTH_TRYV(write_file(dir, "net_cls.classid", unum(*n.class_id)));
    }
    if (n.priorities.empty()) return {};
    auto dir = BERTH_TRY(d.need("net_prio", "linux.resources.network.priorities"));
    for (auto& p : n.priorities)
        BERTH_TRYV(write_file(dir, "net_prio.ifpriomap", p.name + " " + unum(p.priority)));
    return {};
}

}  // namespace

Result<void> apply_v1_resources(const V1Dirs& d, const oci::Resources& r) {
    if (!r.unified.empty())
        return fail("linux.resources.unified needs cgroup v2, but " + d.mount_point +
                    " holds cgroup v1");
    BERTH_TRYV(apply_devices(d, r.devices));
    if (r.memory) BERTH_TRYV(apply_memory(d, *r.memory));
    if (r.cpu) BERTH_TRYV(apply_cpu(d, *r.cpu));
    if (r.cpu) BERTH_TRYV(apply_cpuset(d, *r.cpu));
    if (r.pids) BERTH_TRYV(apply_pids(d, *r.pids));
    if (r.block_io) BERTH_TRYV(apply_blkio(d, *r.block_io));
    BERTH_TRYV(apply_hugetlb(d, r.hugepage_limits));
    if (r.network) BERTH_TRYV(apply_network(d, *r.network));
    return {};
}

}  // namespace berth::runtime::cgroup_detail

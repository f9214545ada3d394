// linux.resources on cgroup v2: the OCI (v1-shaped) values converted to the
// unified interface (config-linux.md "Control groups", "Unified"; the kernel's
// Documentation/admin-guide/cgroup-v2.rst for file formats).
#include <map>

#include "base/file.hpp"
#include "base/log.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

std::string num(int64_t v) {
    return std::to_string(v);
}
std::string unum(uint64_t v) {
    return std::to_string(v);
}
std::string max_or(int64_t v) {
    return v < 0 ? "max" : num(v);
}

// A controller's files exist only when the parent delegates it: say so rather
// than a bare ENOENT.
Result<void> need_file(const std::string& dir, std::string_view file, std::string_view controller,
                       std::string_view needed_by) {
    if (has_file(dir, file)) return {};
    return fail(dir + "/" + std::string(file) + " is missing: cgroup v2 controller \"" +
                std::string(controller) + "\" is not enabled for this cgroup (needed by " +
                std::string(needed_by) + ")");
}

Result<void> apply_memory(const std::string& dir, const oci::MemoryResources& m) {
    constexpr std::string_view by = "linux.resources.memory";
    auto swap = BERTH_TRY(swap_to_v2(m.swap, m.limit));
    if (m.limit) {
        BERTH_TRYV(need_file(dir, "memory.max", "memory", by));
        BERTH_TRYV(write_file(dir, "memory.max", max_or(*m.limit)));
    }
    if (!swap.empty()) {
        // Without swap accounting there is no memory.swap.max; no swap asked is fine.
        if (has_file(dir, "memory.swap.max"))
            BERTH_TRYV(write_file(dir, "memory.swap.max", swap));
        else if (swap != "0" && swap != "max")
            BERTH_TRYV(need_file(dir, "memory.swap.max", "memory (swap accounting)", by));
    }
    if (m.reservation) {
        BERTH_TRYV(need_file(dir, "memory.low", "memory", by));
        BERTH_TRYV(write_file(dir, "memory.low", max_or(*m.reservation)));
    }
    // No v2 equivalent: swappiness is global, kmem is always accounted, and
    // memory.oom.group means something else than disabling the killer.
    if (m.swappiness || m.kernel || m.kernel_tcp || m.disable_oom_killer.value_or(false))
        log::warn(
            "linux.resources.memory: swappiness, kernel, kernelTCP and disableOOMKiller "
            "have no cgroup v2 equivalent and are ignored");
    return {};
}

// cpu.max is "$MAX $PERIOD"; the period alone keeps the quota unlimited.
std::string cpu_max(const oci::CpuResources& c) {
    std::string quota = c.quota && *c.quota > 0 ? num(*c.quota) : "max";
    return c.period ? quota + " " + unum(*c.period) : quota;
}

Result<void> apply_cpu(const std::string& dir, const oci::CpuResources& c) {
    constexpr std::string_view by = "linux.resources.cpu";
    if (c.realtime_runtime.value_or(0) != 0 || c.realtime_period.value_or(0) != 0)
        return fail(
            "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no "
            "realtime scheduling limits");
    if (c.shares && *c.shares != 0) {
        BERTH_TRYV(need_file(dir, "cpu.weight", "cpu", by));
        BERTH_TRYV(write_file(dir, "cpu.weight", unum(shares_to_weight(*c.shares))));
    }
    if (c.quota || c.period) {
        BERTH_TRYV(need_file(dir, "cpu.max", "cpu", by));
        BERTH_TRYV(write_file(dir, "cpu.max", cpu_max(c)));
    }
    if (c.burst) {
        BERTH_TRYV(need_file(dir, "cpu.max.burst", "cpu", by));
        BERTH_TRYV(write_file(dir, "cpu.max.burst", unum(*c.burst)));
    }
    if (c.idle) {
        BERTH_TRYV(need_file(dir, "cpu.idle", "cpu", by));
        BERTH_TRYV(write_file(dir, "cpu.idle", num(*c.idle)));
    }
    if (!c.cpus.empty()) {
        BERTH_TRYV(need_file(dir, "cpuset.cpus", "cpuset", by));
        BERTH_TRYV(write_file(dir, "cpuset.cpus", c.cpus));
    }
    if (!c.mems.empty()) {
        BERTH_TRYV(need_file(dir, "cpuset.mems", "cpuset", by));
        BERTH_TRYV(write_file(dir, "cpuset.mems", c.mems));
    }
    return {};
}

Result<void> apply_pids(const std::string& dir, const oci::PidsResources& p) {
    BERTH_TRYV(need_file(dir, "pids.max", "pids", "linux.resources.pids"));
    return write_file(dir, "pids.max", p.limit > 0 ? num(p.limit) : "max");
}

std::string dev(const oci::BlockIoDevice& b) {
    return num(b.major) + ":" + num(b.minor);
}

// io.max takes "maj:min key=value..." and keeps the keys a write leaves out, so
// all throttles of one device go in one line.
std::map<std::string, std::string> io_max_lines(const oci::BlockIoResources& b) {
    std::map<std::string, std::string> lines;
    auto add = [&](const std::vector<oci::ThrottleDevice>& list, std::string_view key) {
        for (auto& t : list) lines[dev(t)].append(" ").append(key).append("=").append(unum(t.rate));
    };
    add(b.throttle_read_bps_device, "rbps");
    add(b.throttle_write_bps_device, "wbps");
    add(b.throttle_read_iops_device, "riops");
    add(b.throttle_write_iops_device, "wiops");
    return lines;
}

Result<void> apply_io(const std::string& dir, const oci::BlockIoResources& b) {
    constexpr std::string_view by = "linux.resources.blockIO";
    if (b.weight && *b.weight != 0) {
        // With BFQ, io.bfq.weight takes the blkio range (1..1000) unconverted.
        if (has_file(dir, "io.bfq.weight")) {
            BERTH_TRYV(write_file(dir, "io.bfq.weight", unum(*b.weight)));
        } else {
            BERTH_TRYV(need_file(dir, "io.weight", "io", by));
            BERTH_TRYV(write_file(dir, "io.weight", unum(blkio_weight_to_io_weight(*b.weight))));
        }
    }
    for (auto& w : b.weight_device) {
        if (!w.weight) continue;
        BERTH_TRYV(need_file(dir, "io.weight", "io", by));
        BERTH_TRYV(write_file(dir, "io.weight",
                              dev(w) + " " + unum(blkio_weight_to_io_weight(*w.weight))));
    }
    for (auto& [device, keys] : io_max_lines(b)) {
        BERTH_TRYV(need_file(dir, "io.max", "io", by));
        BERTH_TRYV(write_file(dir, "io.max", device + keys));
    }
    return {};
}

Result<void> apply_hugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& limits) {
    for (auto& h : limits) {
        std::string file = "hugetlb." + h.page_size + ".max";
        BERTH_TRYV(need_file(dir, file, "hugetlb", "linux.resources.hugepageLimits"));
        BERTH_TRYV(write_file(dir, file, unum(h.limit)));
    }
    return {};
}

// linux.resources.unified: key is a file in the cgroup directory, value written
// as is. A key must not reach outside the directory.
Result<void> apply_unified(const std::string& dir, const std::map<std::string, std::string>& u) {
    for (auto& [key, value] : u) {
        if (key.empty() || key.find('/') != std::string::npos || key == "." || key == "..")
            return fail("linux.resources.unified key \"" + key + "\": must be a plain file name");
        if (!has_file(dir, key))
            return fail("linux.resources.unified key \"" + key + "\": no such file in " + dir +
                        " (is its controller enabled?)");
        BERTH_TRYV(write_file(dir, key, value));
    }
    return {};
}

}  // namespace

uint64_t shares_to_weight(uint64_t shares) {
    // runc's mapping of [2, 262144] onto [1, 10000].
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
    // [10, 1000] onto [1, 10000].
    if (weight < 10) weight = 10;
    if (weight > 1000) weight = 1000;
    return 1 + (weight - 10) * 9999 / 990;
}

Result<std::string> swap_to_v2(std::optional<int64_t> swap, std::optional<int64_t> limit) {
    if (!swap) return limit == -1 ? "max" : "";
    if (*swap == -1) return "max";
    if (*swap == 0) return "";
    if (!limit || *limit == 0)
        return fail(
            "linux.resources.memory.swap needs memory.limit on cgroup v2 "
            "(swap.max is swap minus the memory limit)");
    if (*limit == -1) return "max";
    if (*swap < *limit)
        return fail("linux.resources.memory.swap (" + num(*swap) + ") must be >= memory.limit (" +
                    num(*limit) + "): it counts memory+swap");
    return num(*swap - *limit);
}

Result<void> apply_v2_resources(const std::string& dir, const oci::Resources& r) {
    if (!r.devices.empty()) BERTH_TRYV(apply_device_filter(dir, r.devices));
    if (r.memory) BERTH_TRYV(apply_memory(dir, *r.memory));
    if (r.cpu) BERTH_TRYV(apply_cpu(dir, *r.cpu));
    if (r.pids) BERTH_TRYV(apply_pids(dir, *r.pids));
    if (r.block_io) BERTH_TRYV(apply_io(dir, *r.block_io));
    BERTH_TRYV(apply_hugetlb(dir, r.hugepage_limits));
    if (r.network && (r.network->class_id || !r.network->priorities.empty()))
        log::warn("linux.resources.network: net_cls/net_prio do not exist on cgroup v2; ignored");
    BERTH_TRYV(apply_unified(dir, r.unified));
    return {};
}

}  // namespace berth::runtime::cgroup_detail

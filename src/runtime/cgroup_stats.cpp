// Reading a cgroup's counters. File formats: the kernel's
// Documentation/admin-guide/cgroup-v1/{cpuacct,memory,blkio-controller,pids}.rst and
// Documentation/admin-guide/cgroup-v2.rst ("cpu.stat", "memory.stat", "io.stat").
#include "runtime/cgroup_stats.hpp"

#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime {

namespace {

using cgroup_detail::read_trimmed;

// The file's contents, or "" when the file (or its controller) is not there.
Result<std::string> read_optional(const std::string& dir, std::string_view file) {
    if (dir.empty()) return std::string();
    auto text = read_trimmed(dir, file);
    if (!text && (text.error().sys_errno == ENOENT || text.error().sys_errno == ENODEV))
        return std::string();
    return text;
}

std::uint64_t to_u64(std::string_view s) {
    auto v = parse_int(trim(s));
    return v && *v > 0 ? static_cast<std::uint64_t>(*v) : 0;
}

// "max" (or v1's "unlimited" style huge values are kept as numbers) -> none.
std::optional<std::uint64_t> limit_value(std::string_view s) {
    s = trim(s);
    if (s.empty() || s == "max") return std::nullopt;
    auto v = parse_int(s);
    if (!v || *v < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*v);
}

// Whitespace-separated words of one line.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// "key value" lines (cpu.stat, memory.stat, cpuacct.stat) into a map.
std::map<std::string, std::uint64_t> key_values(std::string_view text) {
    std::map<std::string, std::uint64_t> out;
    for (auto& line : split(text, '\n')) {
        auto w = words(line);
        if (w.size() == 2) out[std::string(w[0])] = to_u64(w[1]);
    }
    return out;
}

std::uint64_t get(const std::map<std::string, std::uint64_t>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

bool parse_device(std::string_view text, BlkioEntry& e) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    auto major = parse_int(text.substr(0, colon));
    auto minor = parse_int(text.substr(colon + 1));
    if (!major || !minor || *major < 0 || *minor < 0) return false;
    e.major = static_cast<std::uint64_t>(*major);
    e.minor = static_cast<std::uint64_t>(*minor);
    return true;
}

// --- cgroup v1 ---

// blkio files: "8:0 Read 4096" per line, "8:0 4096" in the op-less ones
// (time, sectors), and a closing "Total 8192" line that is not per device.
std::vector<BlkioEntry> parse_v1_blkio(std::string_view text) {
    std::vector<BlkioEntry> out;
    for (auto& line : split(text, '\n')) {
        auto w = words(line);
        BlkioEntry e;
        if (w.size() < 2 || !parse_device(w[0], e)) continue;
        if (w.size() == 3) e.op = std::string(w[1]);
        e.value = to_u64(w.back());
        out.push_back(std::move(e));
    }
    return out;
}

// With the CFQ/BFQ scheduler the kernel fills blkio.io_service_bytes_recursive;
// without one (blk-mq, the usual today) only the throttle files count.
Result<std::vector<BlkioEntry>> read_v1_blkio(const std::string& dir, std::string_view name,
                                              bool scheduler_counts) {
    if (scheduler_counts) {
        auto entries = parse_v1_blkio(BERTH_TRY(read_optional(dir, cat("blkio.", name))));
        if (!entries.empty()) return entries;
    }
    return parse_v1_blkio(BERTH_TRY(read_optional(dir, cat("blkio.throttle.", name))));
}

std::uint64_t ticks_to_ns(std::uint64_t ticks) {
    static const long clk_tck = ::sysconf(_SC_CLK_TCK);
    return clk_tck > 0 ? ticks * 1'000'000'000ULL / static_cast<std::uint64_t>(clk_tck) : 0;
}

Result<void> read_v1_cpu(const Cgroup& cg, CgroupCpuStats& cpu) {
    auto acct = cg.path("cpuacct");
    cpu.total_ns = to_u64(BERTH_TRY(read_optional(acct, "cpuacct.usage")));
    auto percpu = BERTH_TRY(read_optional(acct, "cpuacct.usage_percpu"));
    for (auto w : words(percpu)) cpu.percpu_ns.push_back(to_u64(w));
    // cpuacct.stat counts USER_HZ ticks.
    auto stat = key_values(BERTH_TRY(read_optional(acct, "cpuacct.stat")));
    cpu.user_ns = ticks_to_ns(get(stat, "user"));
    cpu.system_ns = ticks_to_ns(get(stat, "system"));
    auto throttle = key_values(BERTH_TRY(read_optional(cg.path("cpu"), "cpu.stat")));
    cpu.periods = get(throttle, "nr_periods");
    cpu.throttled_periods = get(throttle, "nr_throttled");
    cpu.throttled_ns = get(throttle, "throttled_time");
    return {};
}

Result<void> read_v1_memory(const std::string& dir, CgroupMemoryStats& mem) {
    mem.usage = to_u64(BERTH_TRY(read_optional(dir, "memory.usage_in_bytes")));
    mem.max_usage = to_u64(BERTH_TRY(read_optional(dir, "memory.max_usage_in_bytes")));
    mem.limit = limit_value(BERTH_TRY(read_optional(dir, "memory.limit_in_bytes")));
    mem.failcnt = to_u64(BERTH_TRY(read_optional(dir, "memory.failcnt")));
    mem.stat = key_values(BERTH_TRY(read_optional(dir, "memory.stat")));
    return {};
}

Result<void> read_v1_blkio_all(const std::string& dir, CgroupBlkioStats& b) {
    // The scheduler's files all count the same devices: when the first has none
    // (blk-mq has no such files), the other seven are not read, which matters
    // when every container is sampled each second.
    auto scheduler =
        parse_v1_blkio(BERTH_TRY(read_optional(dir, "blkio.io_service_bytes_recursive")));
    bool scheduler_counts = !scheduler.empty();
    b.service_bytes = scheduler_counts
                          ? std::move(scheduler)
                          : BERTH_TRY(read_v1_blkio(dir, "io_service_bytes_recursive", false));
    b.serviced = BERTH_TRY(read_v1_blkio(dir, "io_serviced_recursive", scheduler_counts));
    if (!scheduler_counts) return {};
    auto only = [&](std::string_view file) -> Result<std::vector<BlkioEntry>> {
        return parse_v1_blkio(BERTH_TRY(read_optional(dir, file)));
    };
    b.queued = BERTH_TRY(only("blkio.io_queued_recursive"));
    b.service_time = BERTH_TRY(only("blkio.io_service_time_recursive"));
    b.wait_time = BERTH_TRY(only("blkio.io_wait_time_recursive"));
    b.merged = BERTH_TRY(only("blkio.io_merged_recursive"));
    b.time = BERTH_TRY(only("blkio.time_recursive"));
    b.sectors = BERTH_TRY(only("blkio.sectors_recursive"));
    return {};
}

Result<void> read_pids(const std::string& dir, CgroupPidsStats& p) {
    p.current = to_u64(BERTH_TRY(read_optional(dir, "pids.current")));
    p.limit = limit_value(BERTH_TRY(read_optional(dir, "pids.max")));
    return {};
}

Result<CgroupStats> read_v1(const Cgroup& cg) {
    CgroupStats s;
    s.version = CgroupVersion::v1;
    BERTH_TRYV(read_v1_cpu(cg, s.cpu));
    BERTH_TRYV(read_v1_memory(cg.path("memory"), s.memory));
    BERTH_TRYV(read_pids(cg.path("pids"), s.pids));
    BERTH_TRYV(read_v1_blkio_all(cg.path("blkio"), s.blkio));
    return s;
}

// --- cgroup v2 ---

// io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
std::vector<BlkioEntry> parse_v2_io(std::string_view text) {
    std::vector<BlkioEntry> out;
    for (auto& line : split(text, '\n')) {
        auto w = words(line);
        BlkioEntry dev;
        if (w.empty() || !parse_device(w[0], dev)) continue;
        std::uint64_t rbytes = 0, wbytes = 0;
        for (std::size_t i = 1; i < w.size(); ++i) {
            auto eq = w[i].find('=');
            if (eq == std::string_view::npos) continue;
            auto key = w[i].substr(0, eq);
            if (key == "rbytes") rbytes = to_u64(w[i].substr(eq + 1));
            if (key == "wbytes") wbytes = to_u64(w[i].substr(eq + 1));
        }
        out.push_back({dev.major, dev.minor, "read", rbytes});
        out.push_back({dev.major, dev.minor, "write", wbytes});
    }
    return out;
}

Result<CgroupStats> read_v2(const Cgroup& cg) {
    CgroupStats s;
    s.version = CgroupVersion::v2;
    auto dir = cg.path();
    // cpu.stat's usage fields exist even without the cpu controller enabled.
    auto cpu = key_values(BERTH_TRY(read_optional(dir, "cpu.stat")));
    s.cpu.total_ns = get(cpu, "usage_usec") * 1000;
    s.cpu.user_ns = get(cpu, "user_usec") * 1000;
    s.cpu.system_ns = get(cpu, "system_usec") * 1000;
    s.cpu.periods = get(cpu, "nr_periods");
    s.cpu.throttled_periods = get(cpu, "nr_throttled");
    s.cpu.throttled_ns = get(cpu, "throttled_usec") * 1000;
    s.memory.usage = to_u64(BERTH_TRY(read_optional(dir, "memory.current")));
    s.memory.limit = limit_value(BERTH_TRY(read_optional(dir, "memory.max")));
    s.memory.stat = key_values(BERTH_TRY(read_optional(dir, "memory.stat")));
    BERTH_TRYV(read_pids(dir, s.pids));
    s.blkio.service_bytes = parse_v2_io(BERTH_TRY(read_optional(dir, "io.stat")));
    return s;
}

}  // namespace

Result<CgroupStats> read_cgroup_stats(const Cgroup& cg) {
    // The directory holding cgroup.procs goes with the container: without it
    // every counter would read as zero, which is not the same as idle.
    auto procs_dir = cg.path();
    if (!path_exists(procs_dir))
        return fail_as(ErrorKind::not_found, "cgroup " + procs_dir + " does not exist");
    if (cg.version() == CgroupVersion::v2) return read_v2(cg);
    return read_v1(cg);
}

}  // namespace berth::runtime

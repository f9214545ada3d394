// What a container's cgroup has counted so far (CPU time, memory, pids, block I/O),
// read from the controller files of cgroup v1 or v2 into one version-neutral shape.
// Times are nanoseconds and sizes bytes whatever unit the kernel file uses. Cheap:
// a dozen small reads, no directory walk, so a daemon can sample every container
// once a second.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "runtime/cgroup.hpp"

namespace berth::runtime {

struct CgroupCpuStats {
    std::uint64_t total_ns = 0, user_ns = 0, system_ns = 0;
    std::vector<std::uint64_t> percpu_ns;  // v1 (cpuacct.usage_percpu); empty on v2
    std::uint64_t periods = 0, throttled_periods = 0, throttled_ns = 0;
};

struct CgroupMemoryStats {
    std::uint64_t usage = 0;
    std::optional<std::uint64_t> max_usage;     // v1 only (v2 has no high-water mark docker uses)
    std::optional<std::uint64_t> limit;         // none: "max" on v2 (v1 prints a huge number)
    std::uint64_t failcnt = 0;                  // v1 only
    std::map<std::string, std::uint64_t> stat;  // memory.stat as the kernel names it
};

struct CgroupPidsStats {
    std::uint64_t current = 0;
    std::optional<std::uint64_t> limit;  // none: "max"
};

// One line of a blkio/io file: "8:0 Read 4096" (op empty in files without one).
struct BlkioEntry {
    std::uint64_t major = 0, minor = 0;
    std::string op;
    std::uint64_t value = 0;
    bool operator==(const BlkioEntry&) const = default;
};

// Docker's blkio_stats lists. v2 fills only service_bytes ("read"/"write", from
// io.stat's rbytes/wbytes), as docker does; the rest are v1's files.
struct CgroupBlkioStats {
    std::vector<BlkioEntry> service_bytes, serviced, queued, service_time, wait_time, merged, time,
        sectors;
};

struct CgroupStats {
    CgroupVersion version = CgroupVersion::v2;
    CgroupCpuStats cpu;
    CgroupMemoryStats memory;
    CgroupPidsStats pids;
    CgroupBlkioStats blkio;
};

// Reads the counters of `cg`. Fails when the cgroup directory is gone (the container
// stopped); a controller or file that is not there (not mounted, not delegated, an
// older kernel) leaves its fields at zero.
Result<CgroupStats> read_cgroup_stats(const Cgroup& cg);

}  // namespace berth::runtime

// A running container's resource usage as GET /containers/{id}/stats reports it
// (Docker API 1.41 ContainerStats): samples of its cgroup's counters next to the
// host's CPU time, and the JSON docker builds from a sample and the one before.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/json.hpp"
#include "base/result.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/cgroup_stats.hpp"

namespace berth::engine {

// The host's side of a CPU percentage: all CPU time spent since boot (the first
// seven fields of /proc/stat's "cpu" line, in nanoseconds, as docker computes it:
// jiffies * 1e9 / CLK_TCK) and how many CPUs are online (its "cpuN" lines).
struct HostCpu {
    std::uint64_t system_ns = 0;
    std::uint32_t online_cpus = 0;
};

// Parses /proc/stat text; fails when it has no "cpu" line.
Result<HostCpu> parse_proc_stat(std::string_view text);
// /proc/stat, read at most once per few tens of milliseconds however many streams
// ask: with a thousand containers streamed, one read serves them all.
Result<HostCpu> host_cpu();
// MemTotal of /proc/meminfo in bytes (0 if unreadable): docker reports it as the
// limit of a container without one.
std::uint64_t machine_memory();

struct StatsSample {
    std::int64_t read_ns = 0;  // wall-clock time of the sample (unix ns)
    runtime::CgroupStats cgroup;
    HostCpu host;
};

// Docker's stats object for `cur` with `pre` as precpu_stats/preread (null: none
// yet, so zeroes, as docker's first sample has). `cur` null gives the zeroed
// object docker sends for a container that is not running. `name` without "/".
Json stats_json(std::string_view id, std::string_view name, const StatsSample* cur,
                const StatsSample* pre, std::uint64_t machine_memory);

// A container's cgroup, opened once for repeated sampling.
class StatsSource {
  public:
    // The cgroup the runtime created for container `id` (from its state under
    // `runtime_root`). Opened cgroups are remembered per container: on cgroup v1
    // opening one parses the daemon's mountinfo, which holds a mount per running
    // container, and `docker stats --no-stream` asks for every container at once.
    static Result<StatsSource> open(const std::string& runtime_root, const std::string& id);
    explicit StatsSource(std::shared_ptr<const runtime::Cgroup> cg, std::string id = "")
        : cg_(std::move(cg)), id_(std::move(id)) {}

    // Fails (not_found) once the container's cgroup is gone, and forgets it.
    Result<StatsSample> sample() const;

  private:
    std::shared_ptr<const runtime::Cgroup> cg_;
    std::string id_;
};

}  // namespace berth::engine

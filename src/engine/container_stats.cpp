// Stats sampling and docker's JSON shape (api/types/stats.go of API 1.41: which
// fields are omitted when zero follows its `omitempty` tags, so clients that test
// for a key see what they see from dockerd).
#include "engine/container_stats.hpp"

#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/time.hpp"
#include "runtime/state.hpp"

namespace berth::engine {

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t u64(std::string_view s) {
    auto v = parse_int(s);
    return v && *v > 0 ? static_cast<std::uint64_t>(*v) : 0;
}

// Go's time.Time in JSON (RFC3339Nano): the fraction without trailing zeros.
std::string time_text(std::int64_t ns) {
    if (ns == 0) return "0001-01-01T00:00:00Z";
    auto text = rfc3339(ns / 1'000'000'000, static_cast<long>(ns % 1'000'000'000));
    auto dot = text.rfind('.');
    if (dot == std::string::npos) return text;
    auto end = text.size() - 1;  // the 'Z'
    auto last = end;
    while (last > dot + 1 && text[last - 1] == '0') --last;
    if (last == dot + 1) last = dot;
    return text.substr(0, last) + text.substr(end);
}

Json cpu_json(const StatsSample* s) {
    Json usage = {{"total_usage", 0}, {"usage_in_kernelmode", 0}, {"usage_in_usermode", 0}};
    Json throttling = {{"periods", 0}, {"throttled_periods", 0}, {"throttled_time", 0}};
    Json cpu = Json::object();
    if (s) {
        const auto& c = s->cgroup.cpu;
        usage = {{"total_usage", c.total_ns},
                 {"usage_in_kernelmode", c.system_ns},
                 {"usage_in_usermode", c.user_ns}};
        if (!c.percpu_ns.empty()) usage["percpu_usage"] = c.percpu_ns;
        throttling = {{"periods", c.periods},
                      {"throttled_periods", c.throttled_periods},
                      {"throttled_time", c.throttled_ns}};
        if (s->host.system_ns) cpu["system_cpu_usage"] = s->host.system_ns;
        if (s->host.online_cpus) cpu["online_cpus"] = s->host.online_cpus;
    }
    cpu["cpu_usage"] = std::move(usage);
    cpu["throttling_data"] = std::move(throttling);
    return cpu;
}

// The memory.stat keys docker reports (what containerd's cgroups library parses),
// each present even when the kernel does not print it, so clients find the same
// keys as from dockerd whatever this kernel adds or renames.
constexpr std::string_view kV1MemoryKeys[] = {
    "cache",         "rss",         "rss_huge",      "mapped_file", "dirty",
    "writeback",     "pgpgin",      "pgpgout",       "pgfault",     "pgmajfault",
    "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable"};
constexpr std::string_view kV1MemoryLimitKeys[] = {"hierarchical_memory_limit",
                                                   "hierarchical_memsw_limit"};
constexpr std::string_view kV2MemoryKeys[] = {"anon",
                                              "file",
                                              "kernel_stack",
                                              "slab",
                                              "sock",
                                              "shmem",
                                              "file_mapped",
                                              "file_dirty",
                                              "file_writeback",
                                              "anon_thp",
                                              "inactive_anon",
                                              "active_anon",
                                              "inactive_file",
                                              "active_file",
                                              "unevictable",
                                              "slab_reclaimable",
                                              "slab_unreclaimable",
                                              "pgfault",
                                              "pgmajfault",
                                              "workingset_refault",
                                              "workingset_activate",
                                              "workingset_nodereclaim",
                                              "pgrefill",
                                              "pgscan",
                                              "pgsteal",
                                              "pgactivate",
                                              "pgdeactivate",
                                              "pglazyfree",
                                              "pglazyfreed",
                                              "thp_fault_alloc",
                                              "thp_collapse_alloc"};

Json memory_stat_json(runtime::CgroupVersion v, const std::map<std::string, std::uint64_t>& stat) {
    Json out = Json::object();
    auto put = [&](std::string key) {
        auto it = stat.find(key);
        out[key] = it == stat.end() ? 0 : it->second;
    };
    if (v == runtime::CgroupVersion::v2) {
        for (auto k : kV2MemoryKeys) put(std::string(k));
        return out;
    }
    for (auto k : kV1MemoryKeys) {
        put(std::string(k));
        put("total_" + std::string(k));
    }
    for (auto k : kV1MemoryLimitKeys) put(std::string(k));
    return out;
}

Json memory_json(const runtime::CgroupStats& cg, std::uint64_t machine_memory) {
    const auto& m = cg.memory;
    Json out = Json::object();
    if (m.usage) out["usage"] = m.usage;
    if (m.max_usage.value_or(0)) out["max_usage"] = *m.max_usage;
    out["stats"] = memory_stat_json(cg.version, m.stat);
    if (m.failcnt) out["failcnt"] = m.failcnt;
    // No limit (v2 "max", v1's near-2^63) reads as the machine's memory, as in docker.
    std::uint64_t limit = m.limit.value_or(machine_memory);
    if (machine_memory && limit > machine_memory) limit = machine_memory;
    if (limit) out["limit"] = limit;
    return out;
}

Json blkio_list(const std::vector<runtime::BlkioEntry>& entries) {
    if (entries.empty()) return nullptr;  // a nil Go slice
    Json out = Json::array();
    for (const auto& e : entries)
        out.push_back({{"major", e.major}, {"minor", e.minor}, {"op", e.op}, {"value", e.value}});
    return out;
}

Json blkio_json(const runtime::CgroupBlkioStats* b) {
    static const runtime::CgroupBlkioStats none;
    if (!b) b = &none;
    return {{"io_service_bytes_recursive", blkio_list(b->service_bytes)},
            {"io_serviced_recursive", blkio_list(b->serviced)},
            {"io_queue_recursive", blkio_list(b->queued)},
            {"io_service_time_recursive", blkio_list(b->service_time)},
            {"io_wait_time_recursive", blkio_list(b->wait_time)},
            {"io_merged_recursive", blkio_list(b->merged)},
            {"io_time_recursive", blkio_list(b->time)},
            {"sectors_recursive", blkio_list(b->sectors)}};
}

Json pids_json(const runtime::CgroupPidsStats& p) {
    Json out = Json::object();
    if (p.current) out["current"] = p.current;
    if (p.limit.value_or(0)) out["limit"] = *p.limit;
    return out;
}

}  // namespace

Result<HostCpu> parse_proc_stat(std::string_view text) {
    HostCpu h;
    bool found = false;
    for (auto& line : split(text, '\n')) {
        if (!line.starts_with("cpu")) continue;
        auto fields = split(line, ' ');
        std::erase(fields, std::string());
        if (fields.empty()) continue;
        if (fields[0] != "cpu") {
            ++h.online_cpus;
            continue;
        }
        // user nice system idle iowait irq softirq: steal and guest are left out,
        // as docker leaves them out.
        std::uint64_t ticks = 0;
        for (std::size_t i = 1; i < fields.size() && i <= 7; ++i) ticks += u64(fields[i]);
        static const long clk_tck = ::sysconf(_SC_CLK_TCK);
        h.system_ns =
            clk_tck > 0 ? ticks * (1'000'000'000ULL / static_cast<std::uint64_t>(clk_tck)) : 0;
        found = true;
    }
    if (!found) return fail("/proc/stat has no \"cpu\" line");
    return h;
}

Result<HostCpu> host_cpu() {
    static std::mutex mu;
    static HostCpu cached;
    static std::chrono::steady_clock::time_point taken;
    constexpr auto max_age = std::chrono::milliseconds(20);
    std::lock_guard lock(mu);
    auto now = std::chrono::steady_clock::now();
    if (cached.online_cpus && now - taken < max_age) return cached;
    auto text = BERTH_TRY(read_file("/proc/stat"));
    cached = BERTH_TRY(parse_proc_stat(text));
    taken = now;
    return cached;
}

std::uint64_t machine_memory() {
    static const std::uint64_t total = [] {
        auto text = read_file("/proc/meminfo");
        if (!text) return std::uint64_t{0};
        for (auto& line : split(*text, '\n')) {
            if (!line.starts_with("MemTotal:")) continue;
            auto fields = split(line.substr(9), ' ');
            std::erase(fields, std::string());
            if (!fields.empty()) return u64(fields[0]) * 1024;  // "kB"
        }
        return std::uint64_t{0};
    }();
    return total;
}

Json stats_json(std::string_view id, std::string_view name, const StatsSample* cur,
                const StatsSample* pre, std::uint64_t machine_memory) {
    Json j = Json::object();
    j["read"] = time_text(cur ? cur->read_ns : 0);
    j["preread"] = time_text(cur && pre ? pre->read_ns : 0);
    j["pids_stats"] = cur ? pids_json(cur->cgroup.pids) : Json::object();
    j["blkio_stats"] = blkio_json(cur ? &cur->cgroup.blkio : nullptr);
    j["num_procs"] = 0;                   // Windows only
    j["storage_stats"] = Json::object();  // Windows only
    j["cpu_stats"] = cpu_json(cur);
    j["precpu_stats"] = cpu_json(cur ? pre : nullptr);
    j["memory_stats"] = cur ? memory_json(cur->cgroup, machine_memory) : Json::object();
    j["name"] = "/" + std::string(name);
    j["id"] = std::string(id);
    return j;
}

namespace {

// Opened cgroups by container ID. A cgroup keeps its path across restarts, so an
// entry stays right until the container is removed; sample() drops it then. The
// bound only guards against IDs whose removal was never sampled.
class CgroupCache {
  public:
    std::shared_ptr<const runtime::Cgroup> find(const std::string& id) {
        std::lock_guard lock(mu_);
        auto it = map_.find(id);
        return it == map_.end() ? nullptr : it->second;
    }
    void put(const std::string& id, std::shared_ptr<const runtime::Cgroup> cg) {
        std::lock_guard lock(mu_);
        if (map_.size() >= kMaxEntries) map_.clear();
        map_[id] = std::move(cg);
    }
    void forget(const std::string& id) {
        std::lock_guard lock(mu_);
        map_.erase(id);
    }

  private:
    static constexpr std::size_t kMaxEntries = 8192;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<const runtime::Cgroup>> map_;
};

CgroupCache& cgroup_cache() {
    static CgroupCache cache;
    return cache;
}

}  // namespace

Result<StatsSource> StatsSource::open(const std::string& runtime_root, const std::string& id) {
    if (auto cg = cgroup_cache().find(id)) return StatsSource(std::move(cg), id);
    auto state = BERTH_TRY(runtime::load_state(runtime_root, id));
    std::shared_ptr<const runtime::Cgroup> cg =
        BERTH_TRY(runtime::open_cgroup(state.cgroups_path, id));
    cgroup_cache().put(id, cg);
    return StatsSource(std::move(cg), id);
}

Result<StatsSample> StatsSource::sample() const {
    StatsSample s;
    auto cg = runtime::read_cgroup_stats(*cg_);
    if (!cg) {
        if (!id_.empty()) cgroup_cache().forget(id_);
        return std::unexpected(std::move(cg.error()));
    }
    s.cgroup = std::move(*cg);
    s.host = BERTH_TRY(host_cpu());
    s.read_ns = now_ns();
    return s;
}

}  // namespace berth::engine

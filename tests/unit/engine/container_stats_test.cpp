// The stats JSON shape docker clients read (API 1.41 ContainerStats) and the
// /proc/stat arithmetic behind system_cpu_usage.
#include "engine/container_stats.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace berth::engine {
namespace {

const std::uint64_t clk_tck = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));

TEST(ProcStat, SumsTheFirstSevenFieldsInNanosecondsAndCountsCpus) {
    auto h = parse_proc_stat(
        "cpu  100 1 20 300 4 5 6 7 8 9\n"
        "cpu0 50 1 10 150 2 2 3 3 4 4\n"
        "cpu1 50 0 10 150 2 3 3 4 4 5\n"
        "intr 12345 0 0\nctxt 99\n");
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->system_ns, (100 + 1 + 20 + 300 + 4 + 5 + 6) * (1000000000ULL / clk_tck))
        << "steal and guest are not counted, as docker does not";
    EXPECT_EQ(h->online_cpus, 2u);
}

TEST(ProcStat, NoCpuLineIsAnError) {
    EXPECT_FALSE(parse_proc_stat("intr 1\n"));
}

TEST(ProcStat, TheHostReadingIsReal) {
    auto h = host_cpu();
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_GT(h->system_ns, 0u);
    EXPECT_EQ(h->online_cpus, static_cast<std::uint32_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
    EXPECT_GT(machine_memory(), 0u);
}

StatsSample v1_sample() {
    StatsSample s;
    s.read_ns = 1700000000123456789;
    s.cgroup.version = runtime::CgroupVersion::v1;
    s.cgroup.cpu = {.total_ns = 3000,
                    .user_ns = 2000,
                    .system_ns = 1000,
                    .percpu_ns = {1000, 2000},
                    .periods = 5,
                    .throttled_periods = 1,
                    .throttled_ns = 77};
    s.cgroup.memory.usage = 4096;
    s.cgroup.memory.max_usage = 8192;
    s.cgroup.memory.limit = 9223372036854771712ULL;  // v1's "no limit"
    s.cgroup.memory.stat = {{"rss", 4096}, {"total_inactive_file", 0}, {"swap", 5}};
    s.cgroup.pids.current = 2;
    s.cgroup.blkio.service_bytes = {{8, 0, "Read", 512}};
    s.host = {.system_ns = 5000000, .online_cpus = 2};
    return s;
}

TEST(StatsJson, RunningContainerHasDockersFieldsAndUnits) {
    auto cur = v1_sample();
    auto pre = v1_sample();
    pre.read_ns = 1700000000000000000;
    auto later = v1_sample();
    later.read_ns = 1700000000120000000;
    EXPECT_EQ(stats_json("abc", "web", &later, nullptr, 0)["read"], "2023-11-14T22:13:20.12Z");
    pre.cgroup.cpu.total_ns = 1000;
    pre.host.system_ns = 4000000;
    auto j = stats_json("abc", "web", &cur, &pre, 1 << 30);
    EXPECT_EQ(j["id"], "abc");
    EXPECT_EQ(j["name"], "/web");
    EXPECT_EQ(j["read"], "2023-11-14T22:13:20.123456789Z");
    EXPECT_EQ(j["preread"], "2023-11-14T22:13:20Z") << "Go's RFC3339Nano drops trailing zeros";
    EXPECT_EQ(j["num_procs"], 0);
    EXPECT_EQ(j["storage_stats"], Json::object());
    const auto& cpu = j["cpu_stats"];
    EXPECT_EQ(cpu["cpu_usage"]["total_usage"], 3000);
    EXPECT_EQ(cpu["cpu_usage"]["percpu_usage"], Json({1000, 2000}));
    EXPECT_EQ(cpu["cpu_usage"]["usage_in_kernelmode"], 1000);
    EXPECT_EQ(cpu["cpu_usage"]["usage_in_usermode"], 2000);
    EXPECT_EQ(cpu["system_cpu_usage"], 5000000);
    EXPECT_EQ(cpu["online_cpus"], 2);
    EXPECT_EQ(cpu["throttling_data"],
              Json({{"periods", 5}, {"throttled_periods", 1}, {"throttled_time", 77}}));
    EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["total_usage"], 1000);
    EXPECT_EQ(j["precpu_stats"]["system_cpu_usage"], 4000000);
    const auto& mem = j["memory_stats"];
    EXPECT_EQ(mem["usage"], 4096);
    EXPECT_EQ(mem["max_usage"], 8192);
    EXPECT_EQ(mem["limit"], 1 << 30) << "no limit reads as the machine's memory";
    EXPECT_EQ(mem["stats"]["rss"], 4096);
    EXPECT_EQ(mem["stats"]["cache"], 0)
        << "docker's keys are there even when the kernel lacks them";
    EXPECT_EQ(mem["stats"].size(), 32u) << "15 keys, their total_ forms, 2 hierarchical limits";
    EXPECT_FALSE(mem["stats"].contains("swap")) << "keys docker does not report are left out";
    EXPECT_FALSE(mem.contains("failcnt")) << "omitted when zero, as Go's omitempty does";
    EXPECT_EQ(j["pids_stats"], Json({{"current", 2}}));
    EXPECT_EQ(j["blkio_stats"]["io_service_bytes_recursive"],
              Json::array({{{"major", 8}, {"minor", 0}, {"op", "Read"}, {"value", 512}}}));
    EXPECT_TRUE(j["blkio_stats"]["io_serviced_recursive"].is_null()) << "a nil list is null";
    EXPECT_FALSE(j.contains("networks"));
}

TEST(StatsJson, FirstSampleHasZeroPrecpuAndZeroPreread) {
    auto cur = v1_sample();
    auto j = stats_json("abc", "web", &cur, nullptr, 1 << 30);
    EXPECT_EQ(j["preread"], "0001-01-01T00:00:00Z");
    EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["total_usage"], 0);
    EXPECT_FALSE(j["precpu_stats"].contains("system_cpu_usage"));
    EXPECT_FALSE(j["precpu_stats"]["cpu_usage"].contains("percpu_usage"));
}

TEST(StatsJson, ASetLimitBelowTheMachineIsKept) {
    auto cur = v1_sample();
    cur.cgroup.memory.limit = 64 << 20;
    cur.cgroup.pids.limit = 10;
    auto j = stats_json("abc", "web", &cur, nullptr, 1ULL << 33);
    EXPECT_EQ(j["memory_stats"]["limit"], 64 << 20);
    EXPECT_EQ(j["pids_stats"]["limit"], 10);
}

TEST(StatsJson, V2HasNoPercpuAndNoMaxUsage) {
    StatsSample s;
    s.cgroup.version = runtime::CgroupVersion::v2;
    s.cgroup.cpu.total_ns = 10;
    s.cgroup.memory.usage = 100;
    s.host = {.system_ns = 1, .online_cpus = 4};
    auto j = stats_json("abc", "web", &s, nullptr, 1 << 30);
    EXPECT_FALSE(j["cpu_stats"]["cpu_usage"].contains("percpu_usage"));
    EXPECT_FALSE(j["memory_stats"].contains("max_usage"));
    EXPECT_EQ(j["memory_stats"]["stats"].size(), 31u);
    EXPECT_EQ(j["memory_stats"]["stats"]["anon"], 0);
    EXPECT_FALSE(j["memory_stats"]["stats"].contains("rss"));
    EXPECT_EQ(j["memory_stats"]["limit"], 1 << 30);
}

TEST(StatsJson, NotRunningIsZeroedWithNameAndId) {
    auto j = stats_json("abc", "web", nullptr, nullptr, 1 << 30);
    EXPECT_EQ(j["read"], "0001-01-01T00:00:00Z");
    EXPECT_EQ(j["memory_stats"], Json::object());
    EXPECT_EQ(j["pids_stats"], Json::object());
    EXPECT_EQ(j["cpu_stats"]["cpu_usage"],
              Json({{"total_usage", 0}, {"usage_in_kernelmode", 0}, {"usage_in_usermode", 0}}));
    EXPECT_FALSE(j["cpu_stats"].contains("system_cpu_usage"));
    EXPECT_TRUE(j["blkio_stats"]["sectors_recursive"].is_null());
    EXPECT_EQ(j["name"], "/web");
    EXPECT_EQ(j["id"], "abc");
}

}  // namespace
}  // namespace berth::engine

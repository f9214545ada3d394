// read_cgroup_stats over fake cgroupfs trees (plain files in a temp dir) holding
// what the kernel prints, for v1 and v2.
#include "runtime/cgroup_stats.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/cgroup.hpp"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

class StatsTree : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-cgstats-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root_ = tmpl;
    }
    void TearDown() override { fs::remove_all(root_); }

    void put(const std::string& rel, const std::string& text) {
        fs::create_directories(fs::path(root_ + "/" + rel).parent_path());
        std::ofstream(root_ + "/" + rel) << text;
    }
    std::unique_ptr<Cgroup> open(CgroupVersion v) {
        auto cg = open_cgroup(v, "/berth/c1", "c1", CgroupRoot{root_});
        EXPECT_TRUE(cg) << cg.error().message;
        return std::move(*cg);
    }

    std::string root_;
};

const std::uint64_t clk_tck = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));

TEST_F(StatsTree, V1ReadsEveryControllerInNanosecondsAndBytes) {
    for (auto d : {"cpu,cpuacct", "memory", "pids", "blkio", "freezer"})
        fs::create_directories(root_ + "/" + d + "/berth/c1");
    put("pids/berth/c1/cgroup.procs", "42\n");
    put("cpu,cpuacct/berth/c1/cpuacct.usage", "1500000000\n");
    put("cpu,cpuacct/berth/c1/cpuacct.usage_percpu", "1000000000 500000000 \n");
    put("cpu,cpuacct/berth/c1/cpuacct.stat", "user 120\nsystem 30\n");
    put("cpu,cpuacct/berth/c1/cpu.stat", "nr_periods 10\nnr_throttled 3\nthrottled_time 7000\n");
    put("memory/berth/c1/memory.usage_in_bytes", "4194304\n");
    put("memory/berth/c1/memory.max_usage_in_bytes", "8388608\n");
    put("memory/berth/c1/memory.limit_in_bytes", "67108864\n");
    put("memory/berth/c1/memory.failcnt", "2\n");
    put("memory/berth/c1/memory.stat", "cache 4096\nrss 8192\ntotal_inactive_file 1024\n");
    put("pids/berth/c1/pids.current", "3\n");
    put("pids/berth/c1/pids.max", "max\n");
    // No CFQ: the plain file is empty, the throttle one counts.
    put("blkio/berth/c1/blkio.io_service_bytes_recursive", "Total 0\n");
    put("blkio/berth/c1/blkio.throttle.io_service_bytes_recursive",
        "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
        "8:0 Total 12288\nTotal 12288\n");
    put("blkio/berth/c1/blkio.throttle.io_serviced_recursive",
        "8:0 Read 1\n8:0 Write 2\nTotal 3\n");
    put("blkio/berth/c1/blkio.sectors_recursive", "8:0 24\n");

    auto s = read_cgroup_stats(*open(CgroupVersion::v1));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->version, CgroupVersion::v1);
    EXPECT_EQ(s->cpu.total_ns, 1500000000u);
    EXPECT_EQ(s->cpu.percpu_ns, (std::vector<std::uint64_t>{1000000000, 500000000}));
    EXPECT_EQ(s->cpu.user_ns, 120 * 1000000000ULL / clk_tck);
    EXPECT_EQ(s->cpu.system_ns, 30 * 1000000000ULL / clk_tck);
    EXPECT_EQ(s->cpu.periods, 10u);
    EXPECT_EQ(s->cpu.throttled_periods, 3u);
    EXPECT_EQ(s->cpu.throttled_ns, 7000u);
    EXPECT_EQ(s->memory.usage, 4194304u);
    EXPECT_EQ(s->memory.max_usage, 8388608u);
    EXPECT_EQ(s->memory.limit, 67108864u);
    EXPECT_EQ(s->memory.failcnt, 2u);
    EXPECT_EQ(s->memory.stat.at("rss"), 8192u);
    EXPECT_EQ(s->memory.stat.at("total_inactive_file"), 1024u);
    EXPECT_EQ(s->pids.current, 3u);
    EXPECT_FALSE(s->pids.limit.has_value()) << "pids.max \"max\" is no limit";
    ASSERT_EQ(s->blkio.service_bytes.size(), 6u) << "the closing Total line is not a device";
    EXPECT_EQ(s->blkio.service_bytes[0], (BlkioEntry{8, 0, "Read", 4096}));
    EXPECT_EQ(s->blkio.service_bytes[1], (BlkioEntry{8, 0, "Write", 8192}));
    ASSERT_EQ(s->blkio.serviced.size(), 2u);
    EXPECT_EQ(s->blkio.serviced[1], (BlkioEntry{8, 0, "Write", 2}));
    EXPECT_TRUE(s->blkio.sectors.empty()) << "scheduler files are skipped when it counts nothing";
    EXPECT_TRUE(s->blkio.queued.empty());
}

TEST_F(StatsTree, V1PrefersTheSchedulerBlkioFileWhenItCounts) {
    for (auto d : {"blkio", "memory", "pids"})
        fs::create_directories(root_ + "/" + d + "/berth/c1");
    put("pids/berth/c1/cgroup.procs", "1\n");
    put("blkio/berth/c1/blkio.io_service_bytes_recursive", "8:16 Read 100\nTotal 100\n");
    put("blkio/berth/c1/blkio.throttle.io_service_bytes_recursive", "8:16 Read 999\nTotal 999\n");
    put("blkio/berth/c1/blkio.io_serviced_recursive", "8:16 Read 3\nTotal 3\n");
    put("blkio/berth/c1/blkio.io_queued_recursive", "8:16 Read 1\nTotal 1\n");
    put("blkio/berth/c1/blkio.sectors_recursive", "8:16 24\n");
    put("blkio/berth/c1/blkio.time_recursive", "8:16 5\n");
    auto s = read_cgroup_stats(*open(CgroupVersion::v1));
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_EQ(s->blkio.service_bytes.size(), 1u);
    EXPECT_EQ(s->blkio.service_bytes[0], (BlkioEntry{8, 16, "Read", 100}));
    EXPECT_EQ(s->blkio.serviced, (std::vector<BlkioEntry>{{8, 16, "Read", 3}}));
    EXPECT_EQ(s->blkio.queued, (std::vector<BlkioEntry>{{8, 16, "Read", 1}}));
    EXPECT_EQ(s->blkio.sectors, (std::vector<BlkioEntry>{{8, 16, "", 24}}));
    EXPECT_EQ(s->blkio.time, (std::vector<BlkioEntry>{{8, 16, "", 5}}));
    // Controllers not mounted (cpuacct here) read as zero rather than failing.
    EXPECT_EQ(s->cpu.total_ns, 0u);
    EXPECT_TRUE(s->cpu.percpu_ns.empty());
}

TEST_F(StatsTree, V2ConvertsMicrosecondsAndParsesIoStat) {
    fs::create_directories(root_ + "/berth/c1");
    put("berth/c1/cgroup.procs", "42\n");
    put("berth/c1/cpu.stat",
        "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\n"
        "throttled_usec 30\n");
    put("berth/c1/memory.current", "1048576\n");
    put("berth/c1/memory.max", "max\n");
    put("berth/c1/memory.stat", "anon 4096\nfile 8192\ninactive_file 512\n");
    put("berth/c1/pids.current", "2\n");
    put("berth/c1/pids.max", "64\n");
    put("berth/c1/io.stat",
        "8:0 rbytes=4096 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n"
        "253:1 rbytes=7 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");

    auto s = read_cgroup_stats(*open(CgroupVersion::v2));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->version, CgroupVersion::v2);
    EXPECT_EQ(s->cpu.total_ns, 2500000u);
    EXPECT_EQ(s->cpu.user_ns, 2000000u);
    EXPECT_EQ(s->cpu.system_ns, 500000u);
    EXPECT_TRUE(s->cpu.percpu_ns.empty());
    EXPECT_EQ(s->cpu.periods, 4u);
    EXPECT_EQ(s->cpu.throttled_periods, 1u);
    EXPECT_EQ(s->cpu.throttled_ns, 30000u);
    EXPECT_EQ(s->memory.usage, 1048576u);
    EXPECT_FALSE(s->memory.limit.has_value()) << "memory.max \"max\" is no limit";
    EXPECT_FALSE(s->memory.max_usage.has_value());
    EXPECT_EQ(s->memory.stat.at("inactive_file"), 512u);
    EXPECT_EQ(s->pids.current, 2u);
    EXPECT_EQ(s->pids.limit, 64u);
    ASSERT_EQ(s->blkio.service_bytes.size(), 4u);
    EXPECT_EQ(s->blkio.service_bytes[0], (BlkioEntry{8, 0, "read", 4096}));
    EXPECT_EQ(s->blkio.service_bytes[1], (BlkioEntry{8, 0, "write", 1024}));
    EXPECT_EQ(s->blkio.service_bytes[2], (BlkioEntry{253, 1, "read", 7}));
    EXPECT_TRUE(s->blkio.serviced.empty());
}

TEST_F(StatsTree, V2MemoryLimitAndMissingControllerFiles) {
    fs::create_directories(root_ + "/berth/c1");
    put("berth/c1/cgroup.procs", "");
    put("berth/c1/memory.max", "67108864\n");
    auto s = read_cgroup_stats(*open(CgroupVersion::v2));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->memory.limit, 67108864u);
    EXPECT_EQ(s->cpu.total_ns, 0u);
    EXPECT_EQ(s->pids.current, 0u);
    EXPECT_TRUE(s->blkio.service_bytes.empty());
}

TEST_F(StatsTree, AGoneCgroupIsNotFoundNotZero) {
    auto s = read_cgroup_stats(*open(CgroupVersion::v2));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ErrorKind::not_found);
    EXPECT_NE(s.error().message.find("/berth/c1"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace berth::runtime

// Which cgroup limits an update body turns into (docker's UpdateConfig semantics:
// zero means "not updated"), with the merged HostConfig supplying the values.
#include "engine/container_live_update.hpp"

#include <gtest/gtest.h>

namespace berth::engine {
namespace {

// What docker's CLI sends for `docker update --memory 64m`: every key, zero unless set.
Json cli_body(Json set) {
    Json b = {{"BlkioWeight", 0},
              {"CpuShares", 0},
              {"CpuPeriod", 0},
              {"CpuQuota", 0},
              {"CpusetCpus", ""},
              {"CpusetMems", ""},
              {"Memory", 0},
              {"MemorySwap", 0},
              {"MemoryReservation", 0},
              {"NanoCpus", 0},
              {"PidsLimit", nullptr},
              {"RestartPolicy", {{"Name", ""}, {"MaximumRetryCount", 0}}}};
    b.update(set);
    return b;
}

TEST(UpdateResources, NothingSetChangesNothing) {
    EXPECT_EQ(update_resources(cli_body(Json::object()), Json::object()), oci::Resources{});
    EXPECT_EQ(update_resources(Json::object(), {{"Memory", 1024}}), oci::Resources{});
}

TEST(UpdateResources, MemoryAloneBringsSwapAsRunDoes) {
    auto r = update_resources(cli_body({{"Memory", 64 << 20}}), {{"Memory", 64 << 20}});
    ASSERT_TRUE(r.memory);
    EXPECT_EQ(r.memory->limit, 64 << 20);
    EXPECT_EQ(r.memory->swap, 128 << 20);
    EXPECT_FALSE(r.memory->reservation);
    EXPECT_FALSE(r.cpu);
    EXPECT_FALSE(r.pids);
    EXPECT_FALSE(r.block_io);
}

TEST(UpdateResources, MemoryKeepsTheStoredSwap) {
    auto r = update_resources({{"Memory", 100}}, {{"Memory", 100}, {"MemorySwap", -1}});
    ASSERT_TRUE(r.memory);
    EXPECT_EQ(r.memory->swap, -1);
    r = update_resources({{"MemorySwap", 500}, {"MemoryReservation", 50}},
                         {{"Memory", 100}, {"MemorySwap", 500}, {"MemoryReservation", 50}});
    EXPECT_EQ(r.memory->limit, 100);
    EXPECT_EQ(r.memory->swap, 500);
    EXPECT_EQ(r.memory->reservation, 50);
}

TEST(UpdateResources, NanoCpusBecomeQuotaOverTheDefaultPeriod) {
    auto r = update_resources(cli_body({{"NanoCpus", 1500000000}}), {{"NanoCpus", 1500000000}});
    ASSERT_TRUE(r.cpu);
    EXPECT_EQ(r.cpu->period, 100000u);
    EXPECT_EQ(r.cpu->quota, 150000);
    EXPECT_FALSE(r.cpu->shares);
}

TEST(UpdateResources, APeriodAloneKeepsTheStoredQuota) {
    auto r = update_resources({{"CpuPeriod", 50000}}, {{"CpuPeriod", 50000}, {"CpuQuota", 25000}});
    ASSERT_TRUE(r.cpu);
    EXPECT_EQ(r.cpu->period, 50000u);
    EXPECT_EQ(r.cpu->quota, 25000);
    r = update_resources({{"CpuPeriod", 50000}}, {{"CpuPeriod", 50000}});
    EXPECT_EQ(r.cpu->quota, -1) << "no quota stored: unlimited";
}

TEST(UpdateResources, SharesCpusetPidsAndBlkio) {
    Json hc = {{"CpuShares", 512},
               {"CpusetCpus", "0"},
               {"CpusetMems", "0"},
               {"PidsLimit", 20},
               {"BlkioWeight", 300}};
    auto r = update_resources(cli_body({{"CpuShares", 512},
                                        {"CpusetCpus", "0"},
                                        {"CpusetMems", "0"},
                                        {"PidsLimit", 20},
                                        {"BlkioWeight", 300}}),
                              hc);
    ASSERT_TRUE(r.cpu);
    EXPECT_EQ(r.cpu->shares, 512u);
    EXPECT_EQ(r.cpu->cpus, "0");
    EXPECT_EQ(r.cpu->mems, "0");
    EXPECT_FALSE(r.cpu->quota);
    ASSERT_TRUE(r.pids);
    EXPECT_EQ(r.pids->limit, 20);
    ASSERT_TRUE(r.block_io);
    EXPECT_EQ(r.block_io->weight, 300);
}

TEST(UpdateResources, PidsLimitZeroOrNegativeLiftsTheLimit) {
    auto r = update_resources({{"PidsLimit", -1}}, {{"PidsLimit", -1}});
    ASSERT_TRUE(r.pids);
    EXPECT_LE(r.pids->limit, 0);
}

}  // namespace
}  // namespace berth::engine

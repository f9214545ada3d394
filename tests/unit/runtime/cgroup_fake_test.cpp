// apply() over fake cgroupfs trees (plain files in a temp dir): every value the
// backends write, read back exactly, conversions included.
// Designated initializers name only the fields a test sets; GCC 12 still warns
// about the rest, which are meant to stay defaulted.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/cgroup.hpp"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

class FakeTree : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-fakecg-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root_ = tmpl;
    }
    void TearDown() override { fs::remove_all(root_); }

    void put(const std::string& rel, const std::string& text = "") {
        fs::create_directories(fs::path(root_ + "/" + rel).parent_path());
        std::ofstream(root_ + "/" + rel) << text;
    }
    std::string get(const std::string& rel) {
        std::ifstream in(root_ + "/" + rel);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    std::unique_ptr<Cgroup> open(CgroupVersion v) {
        auto cg = open_cgroup(v, "/t/x", "id", CgroupRoot{root_});
        EXPECT_TRUE(cg) << cg.error().message;
        return std::move(*cg);
    }

    std::string root_;
};

class FakeV1 : public FakeTree {
  protected:
    void SetUp() override {
        FakeTree::SetUp();
        for (auto d : {"cpu,cpuacct", "memory", "pids", "blkio", "devices", "cpuset", "hugetlb",
                       "freezer", "systemd", "unified"})
            fs::create_directories(root_ + "/" + d);
        fs::create_directory_symlink("cpu,cpuacct", root_ + "/cpu");
        fs::create_directory_symlink("cpu,cpuacct", root_ + "/cpuacct");
    }
};

TEST_F(FakeV1, CreateMakesOneDirectoryPerHierarchyAndNoneForUnified) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create()) << "create";
    for (auto d : {"cpu,cpuacct", "memory", "pids", "systemd", "freezer"})
        EXPECT_TRUE(fs::is_directory(root_ + "/" + d + "/t/x")) << d;
    EXPECT_FALSE(fs::exists(root_ + "/unified/t"));
    EXPECT_EQ(cg->path("cpuacct"), root_ + "/cpu,cpuacct/t/x");
    EXPECT_EQ(cg->path("memory"), root_ + "/memory/t/x");
    EXPECT_EQ(cg->path(""), root_ + "/pids/t/x");
}

TEST_F(FakeV1, ApplyWritesEveryControllerFile) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create());
    for (auto f : {"memory/t/x/memory.limit_in_bytes", "memory/t/x/memory.memsw.limit_in_bytes",
                   "memory/t/x/memory.soft_limit_in_bytes", "memory/t/x/memory.swappiness",
                   "memory/t/x/memory.oom_control", "cpu,cpuacct/t/x/cpu.shares",
                   "cpu,cpuacct/t/x/cpu.cfs_period_us", "cpu,cpuacct/t/x/cpu.cfs_quota_us",
                   "cpuset/t/x/cpuset.cpus", "cpuset/t/x/cpuset.mems", "pids/t/x/pids.max",
                   "blkio/t/x/blkio.weight", "blkio/t/x/blkio.throttle.read_bps_device",
                   "hugetlb/t/x/hugetlb.2MB.limit_in_bytes", "devices/t/x/devices.deny",
                   "devices/t/x/devices.allow"})
        put(f);
    oci::Resources r;
    r.memory = oci::MemoryResources{.limit = 100 << 20,
                                    .reservation = 50 << 20,
                                    .swap = 200 << 20,
                                    .swappiness = 10,
                                    .disable_oom_killer = true};
    r.cpu = oci::CpuResources{
        .shares = 512, .quota = 50000, .period = 100000, .cpus = "0", .mems = "0"};
    r.pids = oci::PidsResources{42};
    oci::BlockIoResources b;
    b.weight = 500;
    b.throttle_read_bps_device.push_back({{8, 0}, 1048576});
    r.block_io = b;
    r.hugepage_limits = {{"2MB", 4194304}};
    r.devices = {{.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"}};
    auto applied = cg->apply(r);
    ASSERT_TRUE(applied) << applied.error().message;

    EXPECT_EQ(get("memory/t/x/memory.limit_in_bytes"), "104857600");
    EXPECT_EQ(get("memory/t/x/memory.memsw.limit_in_bytes"), "209715200");
    EXPECT_EQ(get("memory/t/x/memory.soft_limit_in_bytes"), "52428800");
    EXPECT_EQ(get("memory/t/x/memory.swappiness"), "10");
    EXPECT_EQ(get("memory/t/x/memory.oom_control"), "1");
    EXPECT_EQ(get("cpu,cpuacct/t/x/cpu.shares"), "512");
    EXPECT_EQ(get("cpu,cpuacct/t/x/cpu.cfs_period_us"), "100000");
    EXPECT_EQ(get("cpu,cpuacct/t/x/cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(get("cpuset/t/x/cpuset.cpus"), "0");
    EXPECT_EQ(get("cpuset/t/x/cpuset.mems"), "0");
    EXPECT_EQ(get("pids/t/x/pids.max"), "42");
    EXPECT_EQ(get("blkio/t/x/blkio.weight"), "500");
    EXPECT_EQ(get("blkio/t/x/blkio.throttle.read_bps_device"), "8:0 1048576");
    EXPECT_EQ(get("hugetlb/t/x/hugetlb.2MB.limit_in_bytes"), "4194304");
    EXPECT_EQ(get("devices/t/x/devices.deny"), "a");
    EXPECT_EQ(get("devices/t/x/devices.allow"), "c 1:3 rwm");
}

TEST_F(FakeV1, UnlimitedPidsIsMax) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create());
    put("pids/t/x/pids.max");
    oci::Resources r;
    r.pids = oci::PidsResources{0};
    ASSERT_TRUE(cg->apply(r));
    EXPECT_EQ(get("pids/t/x/pids.max"), "max");
}

TEST_F(FakeV1, MissingControllerIsAnErrorOnlyWhenNeeded) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create());
    put("pids/t/x/pids.max");
    oci::Resources r;
    r.pids = oci::PidsResources{5};
    EXPECT_TRUE(cg->apply(r)) << "net_cls is absent but nothing asks for it";
    r.network = oci::NetworkResources{.class_id = 7};
    auto bad = cg->apply(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("\"net_cls\" is not mounted"), std::string::npos)
        << bad.error().message;
}

TEST_F(FakeV1, SwapWithoutSwapAccountingFailsUnlessItEqualsTheLimit) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create());
    put("memory/t/x/memory.limit_in_bytes");  // no memory.memsw.* files
    oci::Resources r;
    r.memory = oci::MemoryResources{.limit = 1 << 20, .swap = 1 << 20};
    EXPECT_TRUE(cg->apply(r));
    r.memory->swap = 2 << 20;
    auto bad = cg->apply(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("swap accounting"), std::string::npos)
        << bad.error().message;
}

TEST_F(FakeV1, SwapBelowLimitAndUnifiedAreRejected) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create());
    oci::Resources r;
    r.memory = oci::MemoryResources{.limit = 2 << 20, .swap = 1 << 20};
    EXPECT_FALSE(cg->apply(r));
    oci::Resources u;
    u.unified = {{"memory.high", "1"}};
    EXPECT_FALSE(cg->apply(u));
}

TEST_F(FakeV1, WriteErrorsNameTheFileAndTheValue) {
    auto cg = open(CgroupVersion::v1);
    ASSERT_TRUE(cg->create());
    oci::Resources r;
    r.pids = oci::PidsResources{9};  // pids.max does not exist in the fake tree
    auto bad = cg->apply(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("write " + root_ + "/pids/t/x/pids.max = 9: "),
              std::string::npos)
        << bad.error().message;
}

class FakeV2 : public FakeTree {
  protected:
    void SetUp() override {
        FakeTree::SetUp();
        put("cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
        put("cgroup.subtree_control");
    }
    void leaf_files() {
        for (auto f :
             {"memory.max", "memory.low", "memory.swap.max", "memory.high", "cpu.weight", "cpu.max",
              "cpuset.cpus", "cpuset.mems", "pids.max", "io.weight", "io.max", "hugetlb.2MB.max"})
            put(std::string("t/x/") + f);
    }
};

TEST_F(FakeV2, CreateDelegatesTheRootsControllers) {
    auto cg = open(CgroupVersion::v2);
    ASSERT_TRUE(cg->create());
    EXPECT_TRUE(fs::is_directory(root_ + "/t/x"));
    EXPECT_EQ(get("cgroup.subtree_control"), "+cpuset +cpu +io +memory +hugetlb +pids");
    EXPECT_EQ(cg->path(), root_ + "/t/x");
}

TEST_F(FakeV2, ApplyConvertsOciValues) {
    auto cg = open(CgroupVersion::v2);
    ASSERT_TRUE(cg->create());
    leaf_files();
    oci::Resources r;
    r.memory = oci::MemoryResources{.limit = 100 << 20, .reservation = 50 << 20, .swap = 300 << 20};
    r.cpu = oci::CpuResources{.shares = 1024, .period = 100000, .cpus = "0-1", .mems = "0"};
    r.pids = oci::PidsResources{0};
    oci::BlockIoResources b;
    b.weight = 500;
    b.throttle_read_bps_device.push_back({{8, 0}, 1048576});
    b.throttle_write_iops_device.push_back({{8, 0}, 100});
    r.block_io = b;
    r.hugepage_limits = {{"2MB", 4194304}};
    r.unified = {{"memory.high", "max"}};
    auto applied = cg->apply(r);
    ASSERT_TRUE(applied) << applied.error().message;

    EXPECT_EQ(get("t/x/memory.max"), "104857600");
    EXPECT_EQ(get("t/x/memory.low"), "52428800");
    EXPECT_EQ(get("t/x/memory.swap.max"), "209715200");
    EXPECT_EQ(get("t/x/cpu.weight"), "39");
    EXPECT_EQ(get("t/x/cpu.max"), "max 100000");
    EXPECT_EQ(get("t/x/cpuset.cpus"), "0-1");
    EXPECT_EQ(get("t/x/cpuset.mems"), "0");
    EXPECT_EQ(get("t/x/pids.max"), "max");
    EXPECT_EQ(get("t/x/io.weight"), "4950");
    EXPECT_EQ(get("t/x/io.max"), "8:0 rbps=1048576 wiops=100");
    EXPECT_EQ(get("t/x/hugetlb.2MB.max"), "4194304");
    EXPECT_EQ(get("t/x/memory.high"), "max");
}

TEST_F(FakeV2, QuotaAndUnlimitedMemory) {
    auto cg = open(CgroupVersion::v2);
    ASSERT_TRUE(cg->create());
    leaf_files();
    oci::Resources r;
    r.memory = oci::MemoryResources{.limit = -1};
    r.cpu = oci::CpuResources{.quota = 25000, .period = 50000};
    ASSERT_TRUE(cg->apply(r));
    EXPECT_EQ(get("t/x/memory.max"), "max");
    EXPECT_EQ(get("t/x/memory.swap.max"), "max");
    EXPECT_EQ(get("t/x/cpu.max"), "25000 50000");
}

TEST_F(FakeV2, UnifiedKeysMustBePlainFileNames) {
    auto cg = open(CgroupVersion::v2);
    ASSERT_TRUE(cg->create());
    leaf_files();
    for (auto key : {"../cgroup.procs", "a/b", "..", ""}) {
        oci::Resources r;
        r.unified = {{key, "1"}};
        EXPECT_FALSE(cg->apply(r)) << key;
    }
    oci::Resources missing;
    missing.unified = {{"memory.nonexistent", "1"}};
    EXPECT_FALSE(cg->apply(missing));
}

TEST_F(FakeV2, MissingControllerFileSaysWhichController) {
    auto cg = open(CgroupVersion::v2);
    ASSERT_TRUE(cg->create());
    oci::Resources r;
    r.pids = oci::PidsResources{3};
    auto bad = cg->apply(r);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("controller \"pids\" is not enabled"), std::string::npos)
        << bad.error().message;
}

TEST_F(FakeV2, RealtimeIsRejected) {
    auto cg = open(CgroupVersion::v2);
    ASSERT_TRUE(cg->create());
    oci::Resources r;
    r.cpu = oci::CpuResources{.realtime_runtime = 1000};
    EXPECT_FALSE(cg->apply(r));
}

}  // namespace
}  // namespace berth::runtime

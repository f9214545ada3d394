// cgroup v1 for real, on this machine's /sys/fs/cgroup hierarchies (needs root and
// a v1 or hybrid host; skipped elsewhere). Every test removes what it made.
// Designated initializers name only the fields a test sets; GCC 12 still warns
// about the rest, which are meant to stay defaulted.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/scope_exit.hpp"
#include "runtime/cgroup.hpp"
#include "test_support.hpp"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

// A child that blocks until its pipe closes, so it lives as long as the test wants.
struct Sleeper {
    pid_t pid = -1;
    int hold = -1;
    Sleeper() {
        int p[2];
        if (::pipe(p) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::close(p[1]);
            char c;
            (void)::read(p[0], &c, 1);
            ::_exit(0);
        }
        ::close(p[0]);
        hold = p[1];
    }
    // Reaps the child, killing it first if it still runs; returns its wait status.
    int reap(bool kill_first = true) {
        if (pid <= 0) return -1;
        if (kill_first) ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return status;
    }
    ~Sleeper() {
        if (hold >= 0) ::close(hold);
        reap();
    }
};

class RealV1 : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0 || detect_cgroup_version() != CgroupVersion::v1 ||
            !fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
            GTEST_SKIP() << "needs root on a cgroup v1 host";
        name_ = "/berth-unit-" + std::to_string(::getpid());
        auto cg = open_cgroup(name_, "unused");
        ASSERT_TRUE(cg) << cg.error().message;
        cg_ = std::move(*cg);
        auto created = cg_->create();
        ASSERT_TRUE(created) << created.error().message;
    }
    void TearDown() override {
        if (!cg_) return;
        auto r = cg_->destroy();
        EXPECT_TRUE(r) << r.error().message;
    }
    std::string file(const std::string& controller, const std::string& f) {
        return cg_->path(controller) + "/" + f;
    }

    std::string name_;
    std::unique_ptr<Cgroup> cg_;
};

TEST_F(RealV1, CpusetIsInitialisedFromTheParent) {
    EXPECT_EQ(test::read_text(file("cpuset", "cpuset.cpus")),
              test::read_text("/sys/fs/cgroup/cpuset/cpuset.cpus"));
    EXPECT_FALSE(test::read_text(file("cpuset", "cpuset.mems")).empty());
}

TEST_F(RealV1, MemoryLimitsAreWrittenInAnOrderTheKernelAccepts) {
    oci::Resources r;
    r.memory = oci::MemoryResources{.limit = 64 << 20, .swap = 128 << 20};
    auto up = cg_->apply(r);
    ASSERT_TRUE(up) << up.error().message;
    EXPECT_EQ(test::read_text(file("memory", "memory.limit_in_bytes")), "67108864");
    bool memsw = fs::exists(file("memory", "memory.memsw.limit_in_bytes"));
    if (memsw) {
        EXPECT_EQ(test::read_text(file("memory", "memory.memsw.limit_in_bytes")), "134217728");
    }
    // Cutting memsw below the current limit needs the limit written first.
    r.memory = oci::MemoryResources{.limit = 32 << 20, .swap = 32 << 20};
    auto down = cg_->apply(r);
    ASSERT_TRUE(down) << down.error().message;
    EXPECT_EQ(test::read_text(file("memory", "memory.limit_in_bytes")), "33554432");
    if (memsw) {
        EXPECT_EQ(test::read_text(file("memory", "memory.memsw.limit_in_bytes")), "33554432");
    }
    // And raising both again needs memsw first.
    r.memory = oci::MemoryResources{.limit = 96 << 20, .swap = 192 << 20};
    auto again = cg_->apply(r);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(test::read_text(file("memory", "memory.limit_in_bytes")), "100663296");
}

TEST_F(RealV1, PidsLimitAndCpuQuota) {
    oci::Resources r;
    r.pids = oci::PidsResources{10};
    r.cpu = oci::CpuResources{.shares = 256, .quota = 20000, .period = 100000};
    auto applied = cg_->apply(r);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(test::read_text(file("pids", "pids.max")), "10");
    EXPECT_EQ(test::read_text(file("cpu", "cpu.shares")), "256");
    EXPECT_EQ(test::read_text(file("cpu", "cpu.cfs_quota_us")), "20000");
}

TEST_F(RealV1, DeviceRulesReplaceTheList) {
    oci::Resources r;
    r.devices = {{.allow = false, .access = "rwm"},
                 {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"},
                 {.allow = true, .type = "c", .major = 1, .minor = 5, .access = "r"}};
    auto applied = cg_->apply(r);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(test::read_text(file("devices", "devices.list")), "c 1:3 rwm\nc 1:5 r");
}

TEST_F(RealV1, ProcessesFreezeThawAndDestroyKills) {
    Sleeper child;
    ASSERT_GT(child.pid, 0);
    auto added = cg_->add_process(child.pid);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_NE(
        test::read_text("/proc/" + std::to_string(child.pid) + "/cgroup").find("memory:" + name_),
        std::string::npos);
    auto procs = cg_->processes();
    ASSERT_TRUE(procs) << procs.error().message;
    EXPECT_EQ(*procs, std::vector<pid_t>{child.pid});

    auto frozen = cg_->freeze();
    ASSERT_TRUE(frozen) << frozen.error().message;
    EXPECT_EQ(test::read_text(file("freezer", "freezer.state")), "FROZEN");
    EXPECT_TRUE(cg_->frozen().value_or(false));
    auto thawed = cg_->thaw();
    ASSERT_TRUE(thawed) << thawed.error().message;
    EXPECT_FALSE(cg_->frozen().value_or(true));

    // Frozen on purpose: destroy must still get the child killed.
    ASSERT_TRUE(cg_->freeze());
    auto destroyed = cg_->destroy();
    ASSERT_TRUE(destroyed) << destroyed.error().message;
    int status = child.reap(false);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    for (auto c : {"memory", "pids", "freezer", "cpu", "cpuset", "devices"})
        EXPECT_FALSE(fs::exists("/sys/fs/cgroup/" + std::string(c) + name_)) << c;
}

}  // namespace
}  // namespace berth::runtime

// read_cgroup_stats on a real cgroup of this machine (v1 or v2, whichever it runs;
// needs root): a child that burns CPU and touches memory inside it must show up
// in the counters, and limits written through Cgroup::apply must read back.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "base/scope_exit.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/cgroup_stats.hpp"

namespace berth::runtime {
namespace {

constexpr std::size_t kTouched = 8 << 20;

// A child that, once released, spins ~300 ms, touches kTouched bytes, says so,
// then blocks until killed.
struct Worker {
    pid_t pid = -1;
    int go = -1, done = -1;
    Worker() {
        int g[2], d[2];
        if (::pipe(g) != 0 || ::pipe(d) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            char c;
            (void)::read(g[0], &c, 1);
            auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
            volatile unsigned long n = 0;
            while (std::chrono::steady_clock::now() < end) n = n + 1;
            auto* mem = static_cast<char*>(std::malloc(kTouched));
            if (mem) std::memset(mem, 1, kTouched);
            (void)::write(d[1], "x", 1);
            for (;;) ::pause();
        }
        ::close(g[0]);
        ::close(d[1]);
        go = g[1];
        done = d[0];
    }
    bool run() {
        char c = 'x';
        if (::write(go, &c, 1) != 1) return false;
        return ::read(done, &c, 1) == 1;
    }
    ~Worker() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (go >= 0) ::close(go);
        if (done >= 0) ::close(done);
    }
};

TEST(CgroupStatsReal, CountsWhatAProcessInsideDoes) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a cgroup";
    auto opened = open_cgroup("/berth-stats-unit-" + std::to_string(::getpid()), "unused");
    ASSERT_TRUE(opened) << opened.error().message;
    auto& cg = **opened;
    auto created = cg.create();
    ASSERT_TRUE(created) << created.error().message;
    bool destroyed = false;
    ScopeExit cleanup([&] {
        if (!destroyed) (void)cg.destroy();
    });
    {
        Worker w;
        ASSERT_GT(w.pid, 0);
        auto added = cg.add_process(w.pid);
        ASSERT_TRUE(added) << added.error().message;
        oci::Resources limits;
        limits.memory = oci::MemoryResources{.limit = 64 << 20};
        limits.pids = oci::PidsResources{7};
        auto applied = cg.apply(limits);
        ASSERT_TRUE(applied) << applied.error().message;
        ASSERT_TRUE(w.run());

        auto s = read_cgroup_stats(cg);
        ASSERT_TRUE(s) << s.error().message;
        EXPECT_EQ(s->version, detect_cgroup_version());
        EXPECT_GT(s->cpu.total_ns, 50'000'000u) << "300 ms of spinning";
        EXPECT_GT(s->cpu.user_ns + s->cpu.system_ns, 0u);
        if (s->version == CgroupVersion::v1) {
            EXPECT_FALSE(s->cpu.percpu_ns.empty());
        }
        EXPECT_GE(s->memory.usage, kTouched);
        EXPECT_EQ(s->memory.limit, 64u << 20);
        EXPECT_FALSE(s->memory.stat.empty());
        EXPECT_EQ(s->pids.current, 1u);
        EXPECT_EQ(s->pids.limit, 7u);
    }
    auto removed = cg.destroy();
    destroyed = true;
    EXPECT_TRUE(removed) << removed.error().message;
    auto gone = read_cgroup_stats(cg);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace berth::runtime

// cgroup v2 for real. On a hybrid host the empty cgroup2 at /sys/fs/cgroup/unified
// serves (no controllers, but freezing, killing and device filters work); on a
// pure v2 host, /sys/fs/cgroup itself. Every test removes what it made.
// Designated initializers name only the fields a test sets; GCC 12 still warns
// about the rest, which are meant to stay defaulted.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/cgroup.hpp"
#include "test_support.hpp"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

std::string v2_root() {
    if (detect_cgroup_version({"/sys/fs/cgroup/unified"}) == CgroupVersion::v2)
        return "/sys/fs/cgroup/unified";
    if (detect_cgroup_version() == CgroupVersion::v2) return "/sys/fs/cgroup";
    return "";
}

// A child that waits for a byte (or EOF) on a pipe and then runs `body`, exiting
// with its result: the parent moves it into the cgroup in between.
class Child {
  public:
    template <typename F>
    explicit Child(F body) {
        int p[2];
        if (::pipe(p) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(p[1]);
            char c;
            (void)::read(p[0], &c, 1);
            ::_exit(body());
        }
        ::close(p[0]);
        go_ = p[1];
    }
    pid_t pid() const { return pid_; }
    void go() {
        (void)::write(go_, "x", 1);
        ::close(go_);
        go_ = -1;
    }
    int wait() {
        int status = 0;
        if (pid_ > 0) ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }
    ~Child() {
        if (go_ >= 0) ::close(go_);
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait();
        }
    }

  private:
    pid_t pid_ = -1;
    int go_ = -1;
};

class RealV2 : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = v2_root();
        if (::geteuid() != 0 || root_.empty()) GTEST_SKIP() << "needs root and a cgroup2 mount";
        name_ = "/berth-unit-" + std::to_string(::getpid());
        auto cg = open_cgroup(name_, "unused", CgroupRoot{root_});
        ASSERT_TRUE(cg) << cg.error().message;
        cg_ = std::move(*cg);
        ASSERT_EQ(cg_->version(), CgroupVersion::v2);
        auto created = cg_->create();
        ASSERT_TRUE(created) << created.error().message;
    }
    void TearDown() override {
        if (!cg_) return;
        auto r = cg_->destroy();
        EXPECT_TRUE(r) << r.error().message;
        EXPECT_FALSE(fs::exists(root_ + name_));
    }

    // Runs `body` in a child inside the cgroup; returns its exit code (-1 if killed).
    template <typename F>
    int run_inside(F body) {
        Child child(body);
        auto added = cg_->add_process(child.pid());
        EXPECT_TRUE(added) << added.error().message;
        child.go();
        int status = child.wait();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::string root_, name_;
    std::unique_ptr<Cgroup> cg_;
};

TEST_F(RealV2, AddFreezeThawAndDestroyKills) {
    Child child([] { return 0; });  // never told to go: blocks until killed
    auto added = cg_->add_process(child.pid());
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(cg_->processes().value_or(std::vector<pid_t>{}), std::vector<pid_t>{child.pid()});

    auto frozen = cg_->freeze();
    ASSERT_TRUE(frozen) << frozen.error().message;
    EXPECT_TRUE(cg_->frozen().value_or(false));
    EXPECT_NE(test::read_text(cg_->path() + "/cgroup.events").find("frozen 1"), std::string::npos);
    auto thawed = cg_->thaw();
    ASSERT_TRUE(thawed) << thawed.error().message;
    EXPECT_FALSE(cg_->frozen().value_or(true));

    ASSERT_TRUE(cg_->freeze());
    auto destroyed = cg_->destroy();
    ASSERT_TRUE(destroyed) << destroyed.error().message;
    int status = child.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    EXPECT_FALSE(fs::exists(root_ + name_));
}

TEST_F(RealV2, ProcessesIncludesChildCgroups) {
    ASSERT_EQ(::mkdir((cg_->path() + "/sub").c_str(), 0755), 0);
    Child child([] { return 0; });
    std::ofstream(cg_->path() + "/sub/cgroup.procs") << child.pid();
    EXPECT_EQ(cg_->processes().value_or(std::vector<pid_t>{}), std::vector<pid_t>{child.pid()});
    // destroy() in TearDown kills it and removes sub/ first.
}

TEST_F(RealV2, UnifiedWritesAFileVerbatim) {
    oci::Resources r;
    r.unified = {{"cgroup.max.descendants", "5"}};
    auto applied = cg_->apply(r);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(test::read_text(cg_->path() + "/cgroup.max.descendants"), "5");
}

int open_errno(const char* path, int flags) {
    int fd = ::open(path, flags);
    if (fd >= 0) {
        ::close(fd);
        return 0;
    }
    return errno;
}

// Exit code: bit 0 /dev/null write not refused, bit 1 /dev/null read refused,
// bit 2 /dev/zero read refused.
int probe_devices() {
    int bad = 0;
    if (open_errno("/dev/null", O_WRONLY) != EPERM) bad |= 1;
    if (open_errno("/dev/null", O_RDONLY) != 0) bad |= 2;
    if (open_errno("/dev/zero", O_RDONLY) != 0) bad |= 4;
    return bad;
}

TEST_F(RealV2, DeviceFilterDeniesNullWriteOnly) {
    oci::Resources r;
    r.devices = {{.allow = true, .access = "rwm"},
                 {.allow = false, .type = "c", .major = 1, .minor = 3, .access = "w"}};
    auto applied = cg_->apply(r);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(run_inside(probe_devices), 0);
}

TEST_F(RealV2, DeviceFilterDeniesByDefaultAndUpdatesReplaceIt) {
    oci::Resources deny_all;
    deny_all.devices = {{.allow = true, .type = "c", .major = 1, .minor = 5, .access = "r"}};
    ASSERT_TRUE(cg_->apply(deny_all));
    // Only /dev/zero read is allowed: /dev/null read is refused too.
    EXPECT_EQ(run_inside(probe_devices), 2);

    oci::Resources allow_all;
    allow_all.devices = {{.allow = true, .access = "rwm"}};
    ASSERT_TRUE(cg_->apply(allow_all));
    // The old program must be gone, or it would still refuse /dev/null.
    EXPECT_EQ(run_inside(probe_devices), 1);
}

TEST_F(RealV2, LaterRuleWinsOverEarlier) {
    oci::Resources r;
    r.devices = {{.allow = false, .type = "c", .major = 1, .minor = 3, .access = "rwm"},
                 {.allow = true, .type = "c", .access = "rwm"}};
    ASSERT_TRUE(cg_->apply(r));
    EXPECT_EQ(run_inside([] { return open_errno("/dev/null", O_WRONLY); }), 0);
}

}  // namespace
}  // namespace berth::runtime

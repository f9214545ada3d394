// mount_cgroup_fs for real, in a child with its own mount namespace (so nothing
// leaks onto the host): the container's view of its cgroups.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "runtime/cgroup.hpp"
#include "runtime/cgroup_internal.hpp"
#include "test_support.hpp"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

// Runs `body` in a forked child with a private mount namespace; its exit code.
int in_private_mount_ns(const std::function<int()>& body) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::unshare(CLONE_NEWNS) != 0) ::_exit(100);
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(101);
        ::_exit(body());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class CgroupMount : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root";
        char tmpl[] = "/tmp/berth-cgmount-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        target_ = tmpl;
    }
    void TearDown() override {
        if (!target_.empty()) ::rmdir(target_.c_str());
    }
    std::string target_;
};

TEST_F(CgroupMount, V1ViewHasEachHierarchyBoundToOwnCgroupReadOnly) {
    if (detect_cgroup_version() != CgroupVersion::v1) GTEST_SKIP() << "v1 host only";
    std::string t = target_;
    int rc = in_private_mount_ns([t] {
        auto r = mount_cgroup_fs(t, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (!r) {
            fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
        // Our own memory cgroup is what the view shows: it lists this process.
        std::string me = std::to_string(::getpid());
        if (test::read_text(t + "/memory/cgroup.procs", false).find(me) == std::string::npos)
            return 2;
        if (!fs::exists(t + "/cpu/cpu.shares")) return 3;
        if (fs::exists(t + "/unified")) return 4;
        if (::mkdir((t + "/memory/x").c_str(), 0755) == 0 || errno != EROFS) return 5;
        if (::mkdir((t + "/new").c_str(), 0755) == 0 || errno != EROFS) return 6;
        // Co-mounted controllers get a link per name.
        for (auto& e : fs::directory_iterator(t)) {
            auto name = e.path().filename().string();
            if (name.find(',') == std::string::npos) continue;
            if (!fs::is_symlink(t + "/" + name.substr(0, name.find(',')))) return 7;
        }
        return 0;
    });
    EXPECT_EQ(rc, 0);
}

TEST_F(CgroupMount, V2ViewMountsFreshAtRootAndBindsOwnCgroupOtherwise) {
    std::string host = "/sys/fs/cgroup/unified";
    if (detect_cgroup_version({host}) != CgroupVersion::v2) GTEST_SKIP() << "needs hybrid cgroup2";
    std::string sub = "/berth-unit-mount-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir((host + sub).c_str(), 0755), 0);
    std::string t = target_;
    int rc = in_private_mount_ns([&] {
        auto fresh = cgroup_detail::mount_cgroup2_view(t, 0, host, "/");
        if (!fresh || !fs::exists(t + "/" + sub.substr(1))) return 1;
        if (::umount(t.c_str()) != 0) return 2;
        auto bound = cgroup_detail::mount_cgroup2_view(t, MS_RDONLY, host, sub);
        if (!bound) return 3;
        if (!fs::exists(t + "/cgroup.procs") || fs::exists(t + sub)) return 4;
        if (::mkdir((t + "/x").c_str(), 0755) == 0 || errno != EROFS) return 5;
        return 0;
    });
    ::rmdir((host + sub).c_str());
    EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace berth::runtime

#include "runtime/safe_path.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

// A fake rootfs under /tmp; the "host" is a sibling directory that must never be
// touched through the root.
class SafePath : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-safepath-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        base_ = tmpl;
        root_ = base_ + "/root";
        host_ = base_ + "/host";
        fs::create_directories(root_ + "/etc");
        fs::create_directories(host_ + "/etc");
        root_fd_.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(root_fd_.valid());
    }
    void TearDown() override {
        root_fd_.reset();
        std::error_code ec;
        fs::remove_all(base_, ec);
    }
    void symlink(const std::string& target, const std::string& rel) {
        ASSERT_EQ(::symlink(target.c_str(), (root_ + "/" + rel).c_str()), 0) << rel;
    }
    // Where an fd really points, relative to the root ("/" for the root itself).
    std::string where(int fd) {
        auto p = verified_path(fd, root_);
        EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
        if (!p) return "<outside>";
        std::string rel = p->substr(root_.size());
        return rel.empty() ? "/" : rel;
    }

    std::string base_, root_, host_;
    UniqueFd root_fd_;
};

TEST_F(SafePath, OpensPlainPath) {
    auto fd = open_in_root(root_fd_.get(), "/etc");
    ASSERT_TRUE(fd) << fd.error().message;
    EXPECT_EQ(where(fd->get()), "/etc");
}

TEST_F(SafePath, AbsoluteSymlinkStaysInRoot) {
    symlink(host_ + "/etc", "hostetc");  // the host path, as an image could contain
    symlink("/", "slash");
    auto a = open_in_root(root_fd_.get(), "/hostetc");
    EXPECT_FALSE(a) << "the host's " << host_ << "/etc does not exist inside the root";
    auto b = open_in_root(root_fd_.get(), "/slash/etc");
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(where(b->get()), "/etc");
}

TEST_F(SafePath, DotDotCannotClimbOut) {
    symlink("../../../../etc", "up");
    auto fd = open_in_root(root_fd_.get(), "/../../up");
    ASSERT_TRUE(fd) << fd.error().message;
    EXPECT_EQ(where(fd->get()), "/etc");
    auto top = open_in_root(root_fd_.get(), "../..");
    ASSERT_TRUE(top) << top.error().message;
    EXPECT_EQ(where(top->get()), "/");
}

TEST_F(SafePath, SymlinkLoopIsEloop) {
    symlink("b", "a");
    symlink("a", "b");
    auto fd = open_in_root(root_fd_.get(), "/a");
    ASSERT_FALSE(fd);
    EXPECT_EQ(fd.error().sys_errno, ELOOP);
    auto made = create_in_root(root_fd_.get(), "/a/x", Create::directory);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().sys_errno, ELOOP) << made.error().message;
}

TEST_F(SafePath, DanglingSelfLoopIsEloopNotAHang) {
    symlink("loop/x", "loop");
    auto made = create_in_root(root_fd_.get(), "/loop/y", Create::directory);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().sys_errno, ELOOP) << made.error().message;
}

TEST_F(SafePath, FileComponentIsEnotdir) {
    ASSERT_EQ(::close(::creat((root_ + "/etc/passwd").c_str(), 0644)), 0);
    auto fd = open_in_root(root_fd_.get(), "/etc/passwd/x");
    ASSERT_FALSE(fd);
    EXPECT_EQ(fd.error().sys_errno, ENOTDIR);
    auto made = create_in_root(root_fd_.get(), "/etc/passwd/x/y", Create::directory);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().sys_errno, ENOTDIR) << made.error().message;
    EXPECT_TRUE(fs::is_regular_file(root_ + "/etc/passwd"));
}

TEST_F(SafePath, CreatesMissingDirectoriesAndFile) {
    auto d = create_in_root(root_fd_.get(), "/a/b/c", Create::directory);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_TRUE(fs::is_directory(root_ + "/a/b/c"));
    EXPECT_EQ(where(d->get()), "/a/b/c");
    auto f = create_in_root(root_fd_.get(), "/x/y/file", Create::file);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(fs::is_regular_file(root_ + "/x/y/file"));
    EXPECT_EQ(fs::file_size(root_ + "/x/y/file"), 0u);
    auto again = create_in_root(root_fd_.get(), "/a/b/c", Create::directory);
    ASSERT_TRUE(again) << "an existing path is fine: " << again.error().message;
}

TEST_F(SafePath, CreateThroughAbsoluteSymlinkLandsInRoot) {
    symlink(host_ + "/etc", "hostetc");
    auto d = create_in_root(root_fd_.get(), "/hostetc/new", Create::directory);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(where(d->get()), host_ + "/etc/new");
    EXPECT_TRUE(fs::is_directory(root_ + host_ + "/etc/new"));
    EXPECT_FALSE(fs::exists(host_ + "/etc/new")) << "created on the host";
}

TEST_F(SafePath, CreateThroughRelativeEscapingSymlinkLandsInRoot) {
    fs::create_directories(root_ + "/deep/er");
    symlink("../../../../../../tmp-escape", "deep/er/link");
    auto f = create_in_root(root_fd_.get(), "/deep/er/link/file", Create::file);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(where(f->get()), "/tmp-escape/file");
    EXPECT_FALSE(fs::exists("/tmp-escape")) << "created on the host";
}

TEST_F(SafePath, CreateFollowsDanglingFinalSymlink) {
    symlink("/etc/real-target", "etc/dangling");
    auto f = create_in_root(root_fd_.get(), "/etc/dangling", Create::file);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(where(f->get()), "/etc/real-target");
    EXPECT_TRUE(fs::is_regular_file(root_ + "/etc/real-target"));
}

TEST_F(SafePath, DotDotAfterSymlinkIsPhysical) {
    fs::create_directories(root_ + "/x/y");
    symlink("x/y", "xy");
    auto d = create_in_root(root_fd_.get(), "/xy/../z", Create::directory);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(where(d->get()), "/x/z") << "'..' of a symlinked dir is its real parent";
}

TEST_F(SafePath, VerifiedPathRejectsOutside) {
    UniqueFd host(::open(host_.c_str(), O_PATH | O_CLOEXEC));
    ASSERT_TRUE(host.valid());
    EXPECT_FALSE(verified_path(host.get(), root_));
    // A sibling sharing the prefix ("root" vs "rootx") is outside too.
    fs::create_directories(root_ + "x");
    UniqueFd sib(::open((root_ + "x").c_str(), O_PATH | O_CLOEXEC));
    EXPECT_FALSE(verified_path(sib.get(), root_));
}

}  // namespace
}  // namespace berth::runtime

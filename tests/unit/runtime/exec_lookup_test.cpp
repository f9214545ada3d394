#include "runtime/exec_lookup.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.hpp"
#include "forked_child.hpp"

namespace berth::runtime {
namespace {

class ExecLookupTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-exec-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ASSERT_TRUE(mkdir_p(dir_ + "/a"));
        ASSERT_TRUE(mkdir_p(dir_ + "/b"));
        ASSERT_TRUE(mkdir_p(dir_ + "/c"));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void file(const std::string& rel, mode_t mode) {
        ASSERT_TRUE(write_file_atomic(dir_ + "/" + rel, "#!/bin/sh\n", mode));
        ASSERT_EQ(::chmod((dir_ + "/" + rel).c_str(), mode), 0);
    }
    std::vector<std::string> env_with_path(const std::string& path) {
        return {"HOME=/x", "PATH=" + path, "TERM=xterm"};
    }

    std::string dir_;
};

TEST_F(ExecLookupTest, SearchesPathFromTheEnvInOrder) {
    file("b/tool", 0755);
    file("c/tool", 0755);
    bool not_found = true;
    auto r = find_executable("tool", env_with_path(dir_ + "/a:" + dir_ + "/b:" + dir_ + "/c"),
                             &not_found);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, dir_ + "/b/tool");
    EXPECT_FALSE(not_found);
}

TEST_F(ExecLookupTest, SkipsNonExecutablesAndDirectories) {
    file("a/tool", 0644);
    ASSERT_TRUE(mkdir_p(dir_ + "/b/tool"));
    file("c/tool", 0700);
    bool not_found = true;
    auto r = find_executable("tool", env_with_path(dir_ + "/a:" + dir_ + "/b:" + dir_ + "/c"),
                             &not_found);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, dir_ + "/c/tool");
}

TEST_F(ExecLookupTest, NotFoundInPathSaysSoAndSetsTheFlag) {
    file("a/other", 0755);
    bool not_found = false;
    auto r = find_executable("tool", env_with_path(dir_ + "/a:" + dir_ + "/b"), &not_found);
    ASSERT_FALSE(r);
    EXPECT_TRUE(not_found);
    EXPECT_EQ(r.error().message, "exec: \"tool\": executable file not found in $PATH");
}

TEST_F(ExecLookupTest, OnlyExecutableMatchIsNotFound) {
    file("a/tool", 0644);
    bool not_found = false;
    EXPECT_FALSE(find_executable("tool", env_with_path(dir_ + "/a"), &not_found));
    EXPECT_TRUE(not_found);
}

TEST_F(ExecLookupTest, DefaultPathWhenTheEnvHasNone) {
    bool not_found = true;
    auto r = find_executable("sh", {"HOME=/root"}, &not_found);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->ends_with("/sh")) << *r;
    EXPECT_EQ(::access(r->c_str(), X_OK), 0) << *r;
    EXPECT_FALSE(not_found);
    // The host PATH of the test must not be what was searched.
    auto none = find_executable("sh", {"PATH=" + dir_ + "/a"}, &not_found);
    EXPECT_FALSE(none) << "found " << *none;
}

TEST_F(ExecLookupTest, NamesWithASlashAreNotSearched) {
    file("a/tool", 0755);
    bool not_found = true;
    auto r = find_executable(dir_ + "/a/tool", env_with_path("/nonexistent"), &not_found);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, dir_ + "/a/tool");
    EXPECT_FALSE(not_found);
}

TEST_F(ExecLookupTest, MissingAbsolutePathIsNotFoundAndNamed) {
    bool not_found = false;
    std::string missing = dir_ + "/a/missing";
    auto r = find_executable(missing, env_with_path(dir_ + "/a"), &not_found);
    ASSERT_FALSE(r);
    EXPECT_TRUE(not_found);
    EXPECT_NE(r.error().message.find("\"" + missing + "\""), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("No such file"), std::string::npos) << r.error().message;
}

TEST_F(ExecLookupTest, DirectoryIsRefusedButIsNotNotFound) {
    bool not_found = true;
    auto r = find_executable(dir_ + "/a", {}, &not_found);
    ASSERT_FALSE(r);
    EXPECT_FALSE(not_found) << "a directory is 126 (cannot execute), not 127";
    EXPECT_NE(r.error().message.find("is a directory"), std::string::npos) << r.error().message;
}

TEST_F(ExecLookupTest, PathUnderANonDirectoryIsNotNotFound) {
    file("a/tool", 0755);
    bool not_found = true;
    auto r = find_executable(dir_ + "/a/tool/sub", {}, &not_found);
    ASSERT_FALSE(r);
    EXPECT_FALSE(not_found) << "ENOTDIR is not ENOENT";
}

TEST(WithHome, KeepsAnExistingHome) {
    std::vector<std::string> env = {"PATH=/bin", "HOME=/mine"};
    EXPECT_EQ(with_home(env, 0), env);
}

TEST(WithHome, AddsHomeFromPasswdOrSlash) {
    // The test runs on the host, whose /etc/passwd gives root /root.
    auto env = with_home({"PATH=/bin"}, 0);
    EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "HOME=/root"}));
    env = with_home({}, 3999999);
    EXPECT_EQ(env, (std::vector<std::string>{"HOME=/"})) << "an unknown uid gets /";
}

TEST(WithHome, AVariableThatMerelyStartsWithHomeIsNotHome) {
    auto env = with_home({"HOMEDIR=/x"}, 0);
    EXPECT_EQ(env, (std::vector<std::string>{"HOMEDIR=/x", "HOME=/root"}));
}

// mark_inherited_fds changes the fd table, so it runs in a child.
TEST(MarkInheritedFds, PreservedFdsLoseCloexecAndTheRestGainIt) {
    // Hold the low fds so the child helper's report pipe lands above 6.
    std::vector<UniqueFd> hold;
    for (int i = 0; i < 4; ++i) hold.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    auto report = test::run_in_child([] {
        // Make fds 3..6 exist, 3 and 4 close-on-exec, 5 and 6 not.
        for (int fd = 3; fd <= 6; ++fd) {
            int f = ::open("/dev/null", O_RDONLY | (fd <= 4 ? O_CLOEXEC : 0));
            if (f != fd && ::dup3(f, fd, fd <= 4 ? O_CLOEXEC : 0) < 0)
                return std::string("setup=failed\n");
            if (f != fd) ::close(f);
        }
        auto r = mark_inherited_fds(2);
        std::string out = "ok=" + std::string(r ? "1" : r.error().message) + "\n";
        for (int fd = 3; fd <= 6; ++fd)
            out += "fd" + std::to_string(fd) + "=" +
                   std::to_string((::fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 1 : 0) + "\n";
        return out;
    });
    ASSERT_EQ(report["status"], "ok");
    ASSERT_EQ(report["ok"], "1");
    EXPECT_EQ(report["fd3"], "0") << "fd 3 is preserved";
    EXPECT_EQ(report["fd4"], "0") << "fd 4 is preserved";
    EXPECT_EQ(report["fd5"], "1") << "fd 5 is beyond --preserve-fds 2";
    EXPECT_EQ(report["fd6"], "1");
}

}  // namespace
}  // namespace berth::runtime

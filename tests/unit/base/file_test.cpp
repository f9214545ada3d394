#include "base/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace berth {
namespace {

class FileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-file-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::vector<std::string> entries(const std::string& d) {
        std::vector<std::string> names;
        for (auto& e : std::filesystem::directory_iterator(d)) names.push_back(e.path().filename());
        std::sort(names.begin(), names.end());
        return names;
    }

    std::string dir_;
};

class WriteFileAtomic : public FileTest, public ::testing::WithParamInterface<Durability> {};

TEST_P(WriteFileAtomic, WritesReplacesAndLeavesNoTemporary) {
    std::string p = dir_ + "/f";
    auto w = write_file_atomic(p, "first", 0600, GetParam());
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(read_file(p).value_or("?"), "first");
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);

    // A reader holding the old file keeps the old contents: it was replaced, not rewritten.
    UniqueFd old(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    std::string big(100000, 'b');
    ASSERT_TRUE(write_file_atomic(p, big, 0644, GetParam()));
    EXPECT_EQ(read_file(p).value_or("?"), big);
    EXPECT_EQ(read_fd(old.get()).value_or("?"), "first");
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"f"});

    ASSERT_TRUE(write_file_atomic(p, "", 0644, GetParam()));
    EXPECT_EQ(read_file(p).value_or("?"), "");
}

TEST_P(WriteFileAtomic, MissingDirectoryNamesThePathAndLeavesNothing) {
    std::string p = dir_ + "/no/such/dir/f";
    auto w = write_file_atomic(p, "x", 0644, GetParam());
    ASSERT_FALSE(w);
    EXPECT_NE(w.error().message.find(dir_ + "/no/such/dir/f"), std::string::npos)
        << w.error().message;
    EXPECT_EQ(w.error().sys_errno, ENOENT);
    EXPECT_TRUE(entries(dir_).empty());
}

TEST_P(WriteFileAtomic, OntoADirectoryFailsAndCleansItsTemporary) {
    std::string p = dir_ + "/d";
    ASSERT_TRUE(mkdir_p(p + "/child"));
    auto w = write_file_atomic(p, "x", 0644, GetParam());
    ASSERT_FALSE(w);
    EXPECT_NE(w.error().message.find(p), std::string::npos) << w.error().message;
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"d"}) << "the temporary was left behind";
}

INSTANTIATE_TEST_SUITE_P(Durabilities, WriteFileAtomic,
                         ::testing::Values(Durability::durable, Durability::until_reboot),
                         [](const auto& param_info) {
                             return param_info.param == Durability::durable
                                        ? std::string("durable")
                                        : std::string("until_reboot");
                         });

TEST_F(FileTest, MkdirPMakesEveryLevelAndAcceptsExistingDirectories) {
    std::string p = dir_ + "/a/b/c";
    ASSERT_TRUE(mkdir_p(p, 0700));
    EXPECT_TRUE(std::filesystem::is_directory(p));
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(mkdir_p(p));
    EXPECT_TRUE(mkdir_p(dir_ + "/a/"));
    EXPECT_TRUE(mkdir_p(""));
}

TEST_F(FileTest, MkdirPOnAnExistingFileErrors) {
    std::string f = dir_ + "/file";
    ASSERT_TRUE(write_file_atomic(f, "x"));
    auto r = mkdir_p(f);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(f), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("not a directory"), std::string::npos) << r.error().message;
}

TEST_F(FileTest, MkdirPBelowAFileNamesTheComponent) {
    std::string f = dir_ + "/file";
    ASSERT_TRUE(write_file_atomic(f, "x"));
    auto r = mkdir_p(f + "/sub/dir");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(f + "/sub"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().sys_errno, ENOTDIR);
}

TEST_F(FileTest, ReadFileErrorNamesThePath) {
    std::string p = dir_ + "/missing";
    auto r = read_file(p);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(p), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().sys_errno, ENOENT);
    auto d = read_file(dir_);  // open works on a directory; read says EISDIR
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find(dir_), std::string::npos) << d.error().message;
}

TEST_F(FileTest, ReadFileReadsEverything) {
    std::string p = dir_ + "/big";
    std::string data(3 * 8192 + 17, 'q');
    data[0] = '\0';
    ASSERT_TRUE(write_file_atomic(p, data));
    EXPECT_EQ(read_file(p).value_or("?"), data);
}

TEST_F(FileTest, WriteExistingDoesNotCreateOrTruncate) {
    std::string p = dir_ + "/e";
    auto missing = write_existing(p, "x");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find(p), std::string::npos) << missing.error().message;
    EXPECT_FALSE(path_exists(p));
    ASSERT_TRUE(write_file_atomic(p, "0123456789"));
    ASSERT_TRUE(write_existing(p, "ab"));
    EXPECT_EQ(read_file(p).value_or("?"), "ab23456789");
}

TEST_F(FileTest, PathJoin) {
    EXPECT_EQ(path_join("/a", "b"), "/a/b");
    EXPECT_EQ(path_join("/a/", "/b"), "/a/b");
    EXPECT_EQ(path_join("/a", "//b/c"), "/a/b/c");
    EXPECT_EQ(path_join("", "b"), "/b");
}

}  // namespace
}  // namespace berth

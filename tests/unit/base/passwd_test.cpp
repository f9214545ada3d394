#include "base/passwd.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "base/file.hpp"

namespace berth {
namespace {

class PasswdTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-passwd-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/passwd";
        ASSERT_TRUE(write_file_atomic(path_,
                                      "root:x:0:0:root:/root:/bin/sh\n"
                                      "# a comment line\n"
                                      "\n"
                                      "short:x:5\n"
                                      "junk:x:abc:1:bad uid:/junk:/bin/false\n"
                                      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                      "www:x:33:34:www data, with spaces:/var/www:/bin/sh\n"
                                      "dup:x:33:99::/second:/bin/sh\n"
                                      "nohome:x:1000:1000::\n"
                                      "last:x:4000:4001:no newline at end:/home/last:/bin/sh"));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string dir_, path_;
};

TEST_F(PasswdTest, FindsEntriesByUid) {
    auto root = lookup_uid(path_, 0);
    ASSERT_TRUE(root);
    EXPECT_EQ(root->name, "root");
    EXPECT_EQ(root->uid, 0u);
    EXPECT_EQ(root->gid, 0u);
    EXPECT_EQ(root->home, "/root");

    auto www = lookup_uid(path_, 33);
    ASSERT_TRUE(www);
    EXPECT_EQ(www->name, "www") << "the first entry for a uid wins";
    EXPECT_EQ(www->gid, 34u);
    EXPECT_EQ(www->home, "/var/www");
}

TEST_F(PasswdTest, LastLineWithoutNewline) {
    auto e = lookup_uid(path_, 4000);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->name, "last");
    EXPECT_EQ(e->gid, 4001u);
    EXPECT_EQ(e->home, "/home/last");
}

TEST_F(PasswdTest, EmptyHomeAndMissingShellField) {
    auto e = lookup_uid(path_, 1000);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->home, "");
}

TEST_F(PasswdTest, UnknownUidShortLinesAndBadNumbersAreNoMatch) {
    EXPECT_FALSE(lookup_uid(path_, 5)) << "a line with too few fields matched";
    EXPECT_FALSE(lookup_uid(path_, 12345));
}

TEST_F(PasswdTest, MissingFileIsNoMatch) {
    EXPECT_FALSE(lookup_uid(dir_ + "/nope", 0));
}

}  // namespace
}  // namespace berth

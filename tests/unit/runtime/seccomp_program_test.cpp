// The compiled-program cache: a second compile of the same profile comes from the
// cache, a different profile or a tampered file never does.
#include <gtest/gtest.h>

#include <dirent.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "runtime/seccomp_program.hpp"

namespace berth::runtime {
namespace {

oci::Seccomp profile(const std::string& denied) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.architectures = {"SCMP_ARCH_X86_64"};
    s.syscalls = {{{denied}, "SCMP_ACT_ERRNO", std::nullopt, {}}};
    return s;
}

class SeccompProgramCache : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-seccomp-cache-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::vector<std::filesystem::path> files() const {
        std::vector<std::filesystem::path> out;
        for (auto& e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path());
        return out;
    }
    std::string dir_;
};

TEST_F(SeccompProgramCache, SecondCompileReadsTheStoredProgram) {
    auto first = compile_seccomp(profile("mkdir"), dir_);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(files().size(), 1u);
    auto again = compile_seccomp(profile("mkdir"), dir_);
    ASSERT_TRUE(again);
    ASSERT_EQ(again->insns.size(), first->insns.size());
    EXPECT_EQ(0, std::memcmp(again->insns.data(), first->insns.data(), first->insns.size() * sizeof(sock_filter)));
    EXPECT_EQ(again->flags, first->flags);
    EXPECT_FALSE(again->uses_notify);
}

TEST_F(SeccompProgramCache, AnotherProfileGetsItsOwnProgram) {
    ASSERT_TRUE(compile_seccomp(profile("mkdir"), dir_));
    ASSERT_TRUE(compile_seccomp(profile("rmdir"), dir_));
    EXPECT_EQ(files().size(), 2u);
}

TEST_F(SeccompProgramCache, ATamperedFileIsRecompiledNotLoaded) {
    auto first = compile_seccomp(profile("mkdir"), dir_);
    ASSERT_TRUE(first);
    auto file = files().at(0);
    // Same name, a key that doesn't match: ignored and rewritten.
    std::ofstream(file, std::ios::trunc) << "not a program";
    auto again = compile_seccomp(profile("mkdir"), dir_);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->insns.size(), first->insns.size());
    EXPECT_GT(std::filesystem::file_size(file), 100u);
}

TEST_F(SeccompProgramCache, ABadProfileFailsAtCompile) {
    auto s = profile("mkdir");
    s.syscalls[0].action = "SCMP_ACT_NOPE";
    EXPECT_FALSE(compile_seccomp(s, dir_));
    EXPECT_TRUE(files().empty());
}

}  // namespace
}  // namespace berth::runtime

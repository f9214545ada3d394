#include "engine/seccomp_profile.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/oci_spec_builder.hpp"

namespace berth::engine {
namespace {

bool names_syscall(const oci::Seccomp& s, std::string_view name, std::string_view action = "SCMP_ACT_ALLOW") {
    return std::ranges::any_of(s.syscalls, [&](const oci::SeccompSyscall& c) {
        return c.action == action && std::ranges::find(c.names, name) != c.names.end();
    });
}

TEST(SeccompProfile, EmbeddedDefaultParses) {
    const Json& p = default_seccomp_profile();
    ASSERT_TRUE(p.is_object());
    EXPECT_EQ(p["defaultAction"], "SCMP_ACT_ERRNO");
    EXPECT_GT(p["syscalls"].size(), 10u);
}

TEST(SeccompProfile, DefaultForDockerCapsOnAmd64) {
    auto s = seccomp_from_docker_profile(default_seccomp_profile(), docker_default_capabilities(), "amd64", "6.1.0");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->default_action, "SCMP_ACT_ERRNO");
    EXPECT_EQ(s->default_errno_ret, 1u);
    EXPECT_EQ(s->architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
    EXPECT_TRUE(names_syscall(*s, "read"));
    EXPECT_TRUE(names_syscall(*s, "arch_prctl"));         // includes.arches amd64
    EXPECT_FALSE(names_syscall(*s, "s390_runtime_instr"));  // s390 only
    EXPECT_TRUE(names_syscall(*s, "chroot"));             // CAP_SYS_CHROOT held
    EXPECT_FALSE(names_syscall(*s, "mount"));             // CAP_SYS_ADMIN not held
    EXPECT_FALSE(names_syscall(*s, "reboot"));
    EXPECT_TRUE(names_syscall(*s, "ptrace"));             // minKernel 4.8 <= 6.1
    // excludes.caps CAP_SYS_ADMIN: the masked clone and the ENOSYS clone3 stay.
    EXPECT_TRUE(names_syscall(*s, "clone3", "SCMP_ACT_ERRNO"));
    auto clone = std::ranges::find_if(s->syscalls, [](const oci::SeccompSyscall& c) {
        return c.names == std::vector<std::string>{"clone"} && !c.args.empty();
    });
    ASSERT_NE(clone, s->syscalls.end());
    EXPECT_EQ(clone->args[0].index, 0u);  // not the s390 ordering
    EXPECT_EQ(clone->args[0].op, "SCMP_CMP_MASKED_EQ");
}

TEST(SeccompProfile, SysAdminIncludesAndExcludes) {
    auto caps = docker_default_capabilities();
    caps.push_back("CAP_SYS_ADMIN");
    auto s = seccomp_from_docker_profile(default_seccomp_profile(), caps, "amd64", "6.1.0");
    ASSERT_TRUE(s);
    EXPECT_TRUE(names_syscall(*s, "mount"));
    EXPECT_FALSE(names_syscall(*s, "clone3", "SCMP_ACT_ERRNO"));
    EXPECT_FALSE(std::ranges::any_of(s->syscalls, [](const oci::SeccompSyscall& c) {
        return c.names == std::vector<std::string>{"clone"} && !c.args.empty();
    }));
}

TEST(SeccompProfile, OldKernelAndOtherArch) {
    auto old = seccomp_from_docker_profile(default_seccomp_profile(), {}, "amd64", "4.4.0-generic");
    ASSERT_TRUE(old);
    EXPECT_FALSE(names_syscall(*old, "ptrace"));
    auto arm = seccomp_from_docker_profile(default_seccomp_profile(), {}, "arm64", "6.1");
    ASSERT_TRUE(arm);
    EXPECT_EQ(arm->architectures, (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
    EXPECT_TRUE(names_syscall(*arm, "arm_fadvise64_64"));
    EXPECT_FALSE(names_syscall(*arm, "arch_prctl"));
}

TEST(SeccompProfile, ErrnoRetAndArgsCarried) {
    Json p = Json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
        "syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO","errnoRet":13,
                     "args":[{"index":1,"value":448,"valueTwo":0,"op":"SCMP_CMP_EQ"}]},
                    {"names":["kill"],"action":"SCMP_ACT_ERRNO","excludes":{"arches":["amd64"]}}]})");
    auto s = seccomp_from_docker_profile(p, {}, "amd64", "6.1");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->architectures, std::vector<std::string>{"SCMP_ARCH_X86_64"});
    ASSERT_EQ(s->syscalls.size(), 1u);
    EXPECT_EQ(s->syscalls[0].names, std::vector<std::string>{"mkdir"});
    EXPECT_EQ(s->syscalls[0].errno_ret, 13u);
    EXPECT_EQ(s->syscalls[0].args[0].value, 448u);
}

TEST(SeccompProfile, MalformedProfilesAreRefused) {
    EXPECT_FALSE(seccomp_from_docker_profile(Json::array(), {}, "amd64"));
    EXPECT_FALSE(seccomp_from_docker_profile(Json::object(), {}, "amd64"));
    auto both = Json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]})");
    auto r = seccomp_from_docker_profile(both, {}, "amd64");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("'name' and 'names'"), std::string::npos);
    auto arches = Json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],
                                  "archMap":[{"architecture":"SCMP_ARCH_X86_64"}]})");
    EXPECT_FALSE(seccomp_from_docker_profile(arches, {}, "amd64"));
}

TEST(SeccompProfile, OptionTakesContentOrPath) {
    auto inline_profile = seccomp_profile_of_option(R"({"defaultAction":"SCMP_ACT_ALLOW"})");
    ASSERT_TRUE(inline_profile);
    EXPECT_EQ((*inline_profile)["defaultAction"], "SCMP_ACT_ALLOW");
    auto missing = seccomp_profile_of_option("/nonexistent-berth/profile.json");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::invalid_argument);
}

}  // namespace
}  // namespace berth::engine

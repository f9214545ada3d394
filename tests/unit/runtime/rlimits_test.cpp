#include <gtest/gtest.h>
#include <sys/resource.h>

#include "forked_child.hpp"
#include "runtime/process_security.hpp"

namespace berth::runtime {
namespace {

TEST(Rlimits, KnownNames) {
    for (auto name :
         {"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
          "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
          "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"})
        EXPECT_TRUE(is_known_rlimit(name)) << name;
    EXPECT_FALSE(is_known_rlimit("RLIMIT_FOO"));
    EXPECT_FALSE(is_known_rlimit("NOFILE"));
}

TEST(Rlimits, SetAndReadBackInChild) {
    auto r = test::run_in_child([] {
        auto applied = apply_rlimits({{"RLIMIT_NOFILE", 123, 456}, {"RLIMIT_CORE", 0, 0}});
        if (!applied) return "error=" + applied.error().message + "\n";
        rlimit nofile{}, core{};
        ::getrlimit(RLIMIT_NOFILE, &nofile);
        ::getrlimit(RLIMIT_CORE, &core);
        return "nofile=" + std::to_string(nofile.rlim_cur) + "/" + std::to_string(nofile.rlim_max) +
               "\ncore=" + std::to_string(core.rlim_cur) + "/" + std::to_string(core.rlim_max) +
               "\n";
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["nofile"], "123/456");
    EXPECT_EQ(r["core"], "0/0");
}

TEST(Rlimits, ErrorsNameTheRlimit) {
    auto unknown = apply_rlimits({{"RLIMIT_FOO", 1, 1}});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "process.rlimits: unknown rlimit \"RLIMIT_FOO\"");

    // soft above hard is EINVAL; run in a child anyway in case it were accepted.
    auto r = test::run_in_child([] {
        auto bad = apply_rlimits({{"RLIMIT_NOFILE", 500, 100}});
        return bad ? std::string("error=none\n") : "error=" + bad.error().message + "\n";
    });
    EXPECT_NE(r["error"].find("RLIMIT_NOFILE"), std::string::npos) << r["error"];
    EXPECT_NE(r["error"].find("Invalid argument"), std::string::npos) << r["error"];
}

}  // namespace
}  // namespace berth::runtime

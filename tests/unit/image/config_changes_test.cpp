#include "image/config_changes.hpp"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

TEST(ConfigChanges, ShellFormRunsThroughSh) {
    ContainerConfig c;
    ASSERT_TRUE(apply_changes(c, {"CMD echo hi", "entrypoint [\"/init\"]"}));
    EXPECT_EQ(c.cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
    EXPECT_EQ(c.entrypoint, std::vector<std::string>{"/init"});
}

TEST(ConfigChanges, EnvAndLabelTakeBothForms) {
    ContainerConfig c;
    ASSERT_TRUE(apply_changes(c, {"ENV A=1 B=\"two words\"", "ENV C three words", "ENV A=9",
                                  "LABEL k=v"}));
    EXPECT_EQ(c.env, (std::vector<std::string>{"A=9", "B=two words", "C=three words"}));
    EXPECT_EQ(c.labels["k"], "v");
}

TEST(ConfigChanges, WorkdirIsRelativeToThePreviousOne) {
    ContainerConfig c;
    ASSERT_TRUE(apply_changes(c, {"WORKDIR /app", "WORKDIR src"}));
    EXPECT_EQ(c.working_dir, "/app/src");
}

TEST(ConfigChanges, UnknownInstructionIsRefusedAndNothingApplied) {
    ContainerConfig c;
    auto r = apply_changes(c, {"USER nobody", "RUN rm -rf /"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(r.error().message.find("RUN is not a valid change command"), std::string::npos);
    EXPECT_TRUE(c.user.empty()) << "a refused change list must not half-apply";
}

}  // namespace
}  // namespace berth::image

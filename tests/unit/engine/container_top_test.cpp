// ps output filtering for GET /containers/{id}/top, and a real ps run.
#include "engine/container_top.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace berth::engine {
namespace {

constexpr const char* kPsEf =
    "UID          PID    PPID  C STIME TTY          TIME CMD\n"
    "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
    "root         100       1  0 10:01 ?        00:00:00 sleep 1000\n"
    "1000         101     100  5 10:01 pts/0    00:00:03 sh -c while true; do :; done\n"
    "root         200       1  0 10:02 ?        00:00:00 other\n";

TEST(PsOutput, KeepsOnlyTheContainersRowsAndJoinsTheCommand) {
    auto j = parse_ps_output(kPsEf, {100, 101});
    ASSERT_TRUE(j) << j.error().message;
    EXPECT_EQ((*j)["Titles"], Json({"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}));
    ASSERT_EQ((*j)["Processes"].size(), 2u);
    EXPECT_EQ((*j)["Processes"][0],
              Json({"root", "100", "1", "0", "10:01", "?", "00:00:00", "sleep 1000"}));
    EXPECT_EQ((*j)["Processes"][1][7], "sh -c while true; do :; done");
}

TEST(PsOutput, NoProcessesIsAnEmptyList) {
    auto j = parse_ps_output(kPsEf, {});
    ASSERT_TRUE(j);
    EXPECT_EQ((*j)["Processes"], Json::array());
}

TEST(PsOutput, ThreadRowsFollowTheirProcess) {
    // ps -efm / -L style: "-" in the PID column for a thread of the row above.
    auto out =
        "UID PID TID CMD\n"
        "root 100 - sleep\n"
        "root - 100 -\n"
        "root 200 - other\n"
        "root - 200 -\n";
    auto j = parse_ps_output(out, {100});
    ASSERT_TRUE(j) << j.error().message;
    ASSERT_EQ((*j)["Processes"].size(), 2u);
    EXPECT_EQ((*j)["Processes"][1], Json({"root", "-", "100", "-"}));
}

TEST(PsOutput, NoPidColumnIsAnError) {
    auto j = parse_ps_output("USER COMMAND\nroot init\n", {1});
    ASSERT_FALSE(j);
    EXPECT_EQ(j.error().message, "Couldn't find PID field in ps output");
}

TEST(PsOutput, AGarbledPidIsAnError) {
    EXPECT_FALSE(parse_ps_output("PID CMD\nabc x\n", {1}));
}

TEST(PsArgs, RenamingAColumnToPidIsRefused) {
    auto r = validate_ps_args("-o user=PID");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    EXPECT_EQ(r.error().message, "specifying \"user=PID\" is not allowed");
    EXPECT_FALSE(validate_ps_args("-o pid,user= PIDX"));
    EXPECT_TRUE(validate_ps_args("-o pid=PID,comm"));
    EXPECT_TRUE(validate_ps_args("aux"));
}

TEST(RunTop, RealPsFindsThisProcess) {
    auto j = run_top("", {::getpid()});
    ASSERT_TRUE(j) << j.error().message;
    ASSERT_EQ((*j)["Processes"].size(), 1u);
    EXPECT_EQ((*j)["Titles"][1], "PID");
    EXPECT_EQ((*j)["Processes"][0][1], std::to_string(::getpid()));
}

TEST(RunTop, CustomArgsChangeTheColumns) {
    auto j = run_top("-o pid,comm", {::getpid()});
    ASSERT_TRUE(j) << j.error().message;
    EXPECT_EQ((*j)["Titles"], Json({"PID", "COMMAND"}));
}

TEST(RunTop, PsFailingIsReported) {
    auto j = run_top("--no-such-option", {1});
    ASSERT_FALSE(j);
    EXPECT_NE(j.error().message.find("Error running ps"), std::string::npos) << j.error().message;
}

}  // namespace
}  // namespace berth::engine

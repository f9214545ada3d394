#include "cli/flags/flags.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

const std::vector<FlagDef> kRun = {
    {"detach", 'd', FlagDef::Bool, "", "Run container in background", false, ""},
    {"env", 'e', FlagDef::StringList, "", "Set environment variables", false, ""},
    {"publish", 'p', FlagDef::StringList, "", "Publish ports", false, ""},
    {"name", 0, FlagDef::String, "", "Assign a name", false, ""},
    {"quiet", 'q', FlagDef::Bool, "", "Quiet", false, ""},
    {"all", 'a', FlagDef::Bool, "", "All", false, ""},
    {"cpu-shares", 'c', FlagDef::Int, "", "CPU shares", false, ""},
};

Result<ParsedFlags> parse(std::vector<std::string> argv, ArgMode mode = ArgMode::Interspersed) {
    return parse_flags(kRun, argv, mode);
}

TEST(Flags, LongFormsWithSpaceAndEquals) {
    auto f = parse({"--name", "web", "--env=A=B", "img"});
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->value("name"), "web");
    EXPECT_EQ(f->list("env"), std::vector<std::string>{"A=B"});
    EXPECT_EQ(f->args, std::vector<std::string>{"img"});
}

TEST(Flags, CombinedShortsAndAttachedValue) {
    auto f = parse({"-qa", "-p8080:80", "-e", "A=B", "-e", "C=D"});
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(f->enabled("quiet"));
    EXPECT_TRUE(f->enabled("all"));
    EXPECT_EQ(f->value("publish"), "8080:80");
    EXPECT_EQ(f->list("env"), (std::vector<std::string>{"A=B", "C=D"}));
}

TEST(Flags, BoolTakesOptionalEqualsValue) {
    auto f = parse({"--detach=false", "-q=false"});
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(f->has("detach"));
    EXPECT_FALSE(f->enabled("detach"));
    EXPECT_FALSE(f->enabled("quiet"));
}

TEST(Flags, InterspersedByDefaultStopsAtPositionalWhenAsked) {
    auto mixed = parse({"img", "-q", "x"});
    ASSERT_TRUE(mixed);
    EXPECT_EQ(mixed->args, (std::vector<std::string>{"img", "x"}));
    auto run = parse({"-d", "img", "sh", "-q"}, ArgMode::StopAtPositional);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->args, (std::vector<std::string>{"img", "sh", "-q"}));
    EXPECT_FALSE(run->has("quiet"));
}

TEST(Flags, DoubleDashEndsFlags) {
    auto f = parse({"--", "-q"});
    ASSERT_TRUE(f);
    EXPECT_EQ(f->args, std::vector<std::string>{"-q"});
}

TEST(Flags, ErrorsInPflagsWords) {
    EXPECT_EQ(parse({"--foo"}).error().message, "unknown flag: --foo");
    EXPECT_EQ(parse({"-qz"}).error().message, "unknown shorthand flag: 'z' in -qz");
    EXPECT_EQ(parse({"--name"}).error().message, "flag needs an argument: --name");
    EXPECT_EQ(parse({"-e"}).error().message, "flag needs an argument: 'e' in -e");
    EXPECT_EQ(parse({"--quiet=maybe"}).error().message,
              "invalid argument \"maybe\" for \"-q, --quiet\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax");
    EXPECT_EQ(parse({"-c", "lots"}).error().message,
              "invalid argument \"lots\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"lots\": invalid syntax");
}

TEST(Flags, HelpIsRecognised) {
    auto f = parse({"--help"});
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->help);
}

// `docker volume ls --help` from docker 28 without a tty (79 columns).
TEST(Flags, UsageMatchesDockerVolumeLs) {
    std::vector<FlagDef> defs = {
        {"filter", 'f', FlagDef::StringList, "", "Provide filter values (e.g. \"dangling=true\")", false, "filter"},
        {"format", 0, FlagDef::String, "",
         "Format output using a custom template:\n"
         "'table':            Print output in table format with column headers (default)\n"
         "'table TEMPLATE':   Print output in table format using the given Go template\n"
         "'json':             Print in JSON format\n"
         "'TEMPLATE':         Print output using the given Go template.\n"
         "Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates",
         false, ""},
        {"quiet", 'q', FlagDef::Bool, "", "Only display volume names", false, ""},
        {"secret", 0, FlagDef::Bool, "", "hidden", true, ""},
    };
    EXPECT_EQ(usage_text("docker volume ls [OPTIONS]", "List volumes", defs, "docker volume ls, docker volume list"),
              "Usage:  docker volume ls [OPTIONS]\n"
              "\n"
              "List volumes\n"
              "\n"
              "Aliases:\n"
              "  docker volume ls, docker volume list\n"
              "\n"
              "Options:\n"
              "  -f, --filter filter   Provide filter values (e.g. \"dangling=true\")\n"
              "      --format string   Format output using a custom template:\n"
              "                        'table':            Print output in table format\n"
              "                        with column headers (default)\n"
              "                        'table TEMPLATE':   Print output in table format\n"
              "                        using the given Go template\n"
              "                        'json':             Print in JSON format\n"
              "                        'TEMPLATE':         Print output using the given\n"
              "                        Go template.\n"
              "                        Refer to https://docs.docker.com/go/formatting/\n"
              "                        for more information about formatting output with\n"
              "                        templates\n"
              "  -q, --quiet           Only display volume names\n");
}

TEST(Flags, UsageShowsNonZeroDefaults) {
    std::vector<FlagDef> defs = {{"time", 't', FlagDef::Int, "10", "Seconds to wait", false, ""},
                                 {"signal", 's', FlagDef::String, "KILL", "Signal to send", false, ""}};
    EXPECT_EQ(flag_usages(defs),
              "  -s, --signal string   Signal to send (default \"KILL\")\n"
              "  -t, --time int        Seconds to wait (default 10)\n");
}

}  // namespace
}  // namespace berth::cli

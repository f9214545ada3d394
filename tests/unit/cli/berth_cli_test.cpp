// The berth command line without a daemon: lookup, help, usage errors, exit codes.
#include "cli/berth/berth_cli.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/file.hpp"
#include "base/unique_fd.hpp"

namespace berth::cli {
namespace {

struct Ran {
    int code = -1;
    std::string out, err;
};

// Runs berth with stdout and stderr in temporary files.
Ran run(const std::vector<std::string>& args, const std::string& env_host = "") {
    char out_path[] = "/tmp/berth-cli-out-XXXXXX";
    char err_path[] = "/tmp/berth-cli-err-XXXXXX";
    UniqueFd out(::mkstemp(out_path)), err(::mkstemp(err_path));
    UniqueFd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Ran r;
    r.code = run_berth(args, env_host, Io{in.get(), out.get(), err.get()});
    r.out = read_file(out_path).value_or("?");
    r.err = read_file(err_path).value_or("?");
    ::unlink(out_path);
    ::unlink(err_path);
    return r;
}

TEST(BerthCli, UnknownCommandSaysSoAndExits1) {
    auto r = run({"foo"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "berth: 'foo' is not a berth command.\nSee 'berth --help'\n");
}

TEST(BerthCli, FlagErrorExits125WithPointerToHelp) {
    auto r = run({"images", "--bogus"});
    EXPECT_EQ(r.code, 125);
    EXPECT_EQ(r.err, "unknown flag: --bogus\nSee 'berth images --help'.\n");
}

TEST(BerthCli, BadFilterIsAFlagError) {
    auto r = run({"image", "ls", "-f", "dangling"});
    EXPECT_EQ(r.code, 125);
    EXPECT_EQ(r.err,
              "invalid argument \"dangling\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n"
              "See 'berth image ls --help'.\n");
}

TEST(BerthCli, WrongArgumentCountExits1WithUsage) {
    auto r = run({"tag", "a"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "\"berth tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.\n\n"
              "Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
              "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n");
    EXPECT_TRUE(run({"rmi"}).err.starts_with("\"berth rmi\" requires at least 1 argument.\n"));
    EXPECT_TRUE(run({"image", "prune", "x"}).err.starts_with("\"berth image prune\" accepts no arguments.\n"));
}

TEST(BerthCli, HelpShowsAliasesInTheGroup) {
    auto r = run({"image", "ls", "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("Usage:  berth image ls [OPTIONS] [REPOSITORY[:TAG]]\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Aliases:\n  ls, list\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  -q, --quiet           Only show image IDs\n"), std::string::npos) << r.out;
}

TEST(BerthCli, NetworkAloneListsItsCommands) {
    auto r = run({"network"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out,
              "\nUsage:  berth network COMMAND\n\nManage networks\n\nCommands:\n"
              "  connect     Connect a container to a network\n"
              "  create      Create a network\n"
              "  disconnect  Disconnect a container from a network\n"
              "  inspect     Display detailed information on one or more networks\n"
              "  ls          List networks\n"
              "  prune       Remove all unused networks\n"
              "  rm          Remove one or more networks\n"
              "\nRun 'berth network COMMAND --help' for more information on a command.\n");
    EXPECT_NE(run({"--help"}).out.find("  network     Manage networks\n"), std::string::npos);
    EXPECT_TRUE(run({"network", "rm"}).err.starts_with("\"berth network rm\" requires at least 1 argument.\n"));
    EXPECT_TRUE(run({"network", "connect", "n"}).err.starts_with(
        "\"berth network connect\" requires exactly 2 arguments.\n"));
}

TEST(BerthCli, NoDaemonIsExplained) {
    auto r = run({"images"}, "unix:///nonexistent/berth.sock");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "Cannot connect to the berth daemon at unix:///nonexistent/berth.sock. Is the berth daemon running?\n");
}

TEST(BerthCli, HostFlagWinsOverEnvironment) {
    auto r = run({"-H", "/nonexistent/a.sock", "images"}, "unix:///nonexistent/b.sock");
    EXPECT_NE(r.err.find("unix:///nonexistent/a.sock"), std::string::npos) << r.err;
}

TEST(BerthCli, OnlyUnixSocketsAreHosts) {
    auto r = run({"-H", "tcp://1.2.3.4:2375", "images"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("unix socket"), std::string::npos) << r.err;
}

TEST(BerthCli, VersionFlag) {
    auto r = run({"--version"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "berth version " BERTH_VERSION "\n");
}

}  // namespace
}  // namespace berth::cli

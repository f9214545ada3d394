#include <gtest/gtest.h>

#include "cli/berth/container_create_request.hpp"

namespace berth::cli {
namespace {

// What `berth run|create ARGS` sends as the POST /containers/create body.
Result<CreateRequest> request_for(std::vector<std::string> argv, bool for_run = true) {
    auto flags = parse_flags(container_create_flags(for_run), argv, ArgMode::StopAtPositional);
    if (!flags) return std::unexpected(flags.error());
    BERTH_TRYV(check_create_flags(*flags));
    EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "FROM_HOST") return "yes";
        return std::nullopt;
    };
    return container_create_request(*flags, env, for_run);
}

TEST(RunFlags, ImageAndCommandWithFlagsAfterTheImageKept) {
    auto req = request_for({"--name", "web", "busybox", "sh", "-c", "echo -n x"});
    ASSERT_TRUE(req) << req.error().message;
    EXPECT_EQ(req->name, "web");
    EXPECT_EQ(req->image, "busybox");
    EXPECT_EQ(req->body["Image"], "busybox");
    EXPECT_EQ(req->body["Cmd"], (Json{"sh", "-c", "echo -n x"}));
    EXPECT_FALSE(req->body.contains("Entrypoint"));
    EXPECT_EQ(req->body["HostConfig"]["NetworkMode"], "default");
    EXPECT_EQ(req->body["NetworkingConfig"], (Json{{"EndpointsConfig", Json::object()}}));
}

TEST(RunFlags, AttachedRunAttachesStdoutAndStderrAndStdinWithI) {
    auto req = request_for({"-i", "busybox"});
    EXPECT_EQ(req->body["AttachStdin"], true);
    EXPECT_EQ(req->body["AttachStdout"], true);
    EXPECT_EQ(req->body["AttachStderr"], true);
    EXPECT_EQ(req->body["OpenStdin"], true);
    EXPECT_EQ(req->body["StdinOnce"], true);
    auto detached = request_for({"-d", "-i", "busybox"});
    EXPECT_EQ(detached->body["AttachStdout"], false);
    EXPECT_EQ(detached->body["StdinOnce"], false);
    EXPECT_EQ(detached->body["OpenStdin"], true);
    auto only_err = request_for({"-a", "STDERR", "busybox"});
    EXPECT_EQ(only_err->body["AttachStdout"], false);
    EXPECT_EQ(only_err->body["AttachStderr"], true);
    EXPECT_EQ(request_for({"-d", "-a", "stdout", "busybox"}).error().message,
              "Conflicting options: -a and -d");
    EXPECT_EQ(request_for({"-a", "stdfoo", "busybox"}).error().message,
              "invalid argument \"stdfoo\" for \"-a, --attach\" flag: valid streams are STDIN, "
              "STDOUT and STDERR");
}

TEST(RunFlags, EnvironmentLabelsAndBasics) {
    auto req = request_for({"-e",
                            "A=1",
                            "-e",
                            "FROM_HOST",
                            "-e",
                            "UNSET",
                            "-l",
                            "k=v",
                            "--label",
                            "bare",
                            "-w",
                            "/w",
                            "-u",
                            "1:2",
                            "-h",
                            "host",
                            "--entrypoint",
                            "",
                            "--stop-signal",
                            "SIGINT",
                            "--stop-timeout",
                            "3",
                            "-t",
                            "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    const Json& b = req->body;
    EXPECT_EQ(b["Env"], (Json{"A=1", "FROM_HOST=yes", "UNSET"}));
    EXPECT_EQ(b["Labels"], (Json{{"k", "v"}, {"bare", ""}}));
    EXPECT_EQ(b["WorkingDir"], "/w");
    EXPECT_EQ(b["User"], "1:2");
    EXPECT_EQ(b["Hostname"], "host");
    EXPECT_EQ(b["Entrypoint"], (Json{""}));
    EXPECT_EQ(b["StopSignal"], "SIGINT");
    EXPECT_EQ(b["StopTimeout"], 3);
    EXPECT_EQ(b["Tty"], true);
}

TEST(RunFlags, Resources) {
    auto req = request_for({"-m",
                            "512m",
                            "--memory-swap",
                            "-1",
                            "--memory-reservation",
                            "1.5g",
                            "--cpus",
                            "0.5",
                            "-c",
                            "100",
                            "--cpu-quota",
                            "5000",
                            "--cpuset-cpus",
                            "0-1",
                            "--pids-limit",
                            "10",
                            "--blkio-weight",
                            "500",
                            "--oom-score-adj",
                            "-5",
                            "--shm-size",
                            "1g",
                            "--ulimit",
                            "nofile=10:20",
                            "--device-read-bps",
                            "/dev/sda:1mb",
                            "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    const Json& h = req->body["HostConfig"];
    EXPECT_EQ(h["Memory"], 512LL << 20);
    EXPECT_EQ(h["MemorySwap"], -1);
    EXPECT_EQ(h["MemoryReservation"], 3LL << 29);
    EXPECT_EQ(h["NanoCpus"], 500'000'000);
    EXPECT_EQ(h["CpuShares"], 100);
    EXPECT_EQ(h["CpuQuota"], 5000);
    EXPECT_EQ(h["CpusetCpus"], "0-1");
    EXPECT_EQ(h["PidsLimit"], 10);
    EXPECT_EQ(h["BlkioWeight"], 500);
    EXPECT_EQ(h["OomScoreAdj"], -5);
    EXPECT_EQ(h["ShmSize"], 1LL << 30);
    EXPECT_EQ(h["Ulimits"], (Json::array({{{"Name", "nofile"}, {"Soft", 10}, {"Hard", 20}}})));
    EXPECT_EQ(h["BlkioDeviceReadBps"], (Json::array({{{"Path", "/dev/sda"}, {"Rate", 1 << 20}}})));
    EXPECT_FALSE(h.contains("MemorySwappiness"));
}

TEST(RunFlags, BadValuesAreFlagErrors) {
    EXPECT_EQ(request_for({"-m", "x", "busybox"}).error().message,
              "invalid argument \"x\" for \"-m, --memory\" flag: invalid size: 'x'");
    EXPECT_EQ(request_for({"--cpus", "a", "busybox"}).error().message,
              "invalid argument \"a\" for \"--cpus\" flag: failed to parse a as a rational number");
    EXPECT_EQ(request_for({"--ulimit", "x=1", "busybox"}).error().message,
              "invalid argument \"x=1\" for \"--ulimit\" flag: invalid ulimit type: x");
    EXPECT_EQ(request_for({"-p", "80:x", "busybox"}).error().message, "Invalid containerPort: x");
}

TEST(RunFlags, StorageAndSecurity) {
    auto req = request_for({"-v",
                            "/h:/c:ro",
                            "-v",
                            "/anon",
                            "--tmpfs",
                            "/run:size=1m",
                            "--mount",
                            "type=bind,src=/a,dst=/b",
                            "--read-only",
                            "--cap-add",
                            "NET_ADMIN",
                            "--cap-drop",
                            "ALL",
                            "--privileged",
                            "--security-opt",
                            "no-new-privileges",
                            "--security-opt",
                            "label=disable",
                            "--device",
                            "/dev/fuse",
                            "--init",
                            "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    const Json& h = req->body["HostConfig"];
    EXPECT_EQ(h["Binds"], (Json{"/h:/c:ro"}));
    EXPECT_EQ(req->body["Volumes"], (Json{{"/anon", Json::object()}}));
    EXPECT_EQ(h["Tmpfs"], (Json{{"/run", "size=1m"}}));
    EXPECT_EQ(h["Mounts"], (Json::array({{{"Type", "bind"}, {"Source", "/a"}, {"Target", "/b"}}})));
    EXPECT_EQ(h["ReadonlyRootfs"], true);
    EXPECT_EQ(h["CapAdd"], (Json{"NET_ADMIN"}));
    EXPECT_EQ(h["CapDrop"], (Json{"ALL"}));
    EXPECT_EQ(h["Privileged"], true);
    EXPECT_EQ(h["SecurityOpt"], (Json{"no-new-privileges", "label=disable"}));
    EXPECT_EQ(h["Devices"][0]["PathOnHost"], "/dev/fuse");
    EXPECT_EQ(h["Init"], true);
}

TEST(RunFlags, PortsNetworkRestartLoggingAndHealth) {
    auto req = request_for({"-p", "8080:80", "--expose", "90", "--network", "none", "--restart",
                            "on-failure:2", "--log-driver", "json-file", "--log-opt", "max-size=1m",
                            "--health-cmd", "true", "--health-interval", "1m30s",
                            "--health-retries", "3", "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    const Json& b = req->body;
    EXPECT_EQ(b["ExposedPorts"], (Json{{"80/tcp", Json::object()}, {"90/tcp", Json::object()}}));
    EXPECT_EQ(b["HostConfig"]["PortBindings"],
              (Json{{"80/tcp", {{{"HostIp", ""}, {"HostPort", "8080"}}}}}));
    EXPECT_EQ(b["HostConfig"]["NetworkMode"], "none");
    EXPECT_EQ(b["HostConfig"]["RestartPolicy"],
              (Json{{"Name", "on-failure"}, {"MaximumRetryCount", 2}}));
    EXPECT_EQ(b["HostConfig"]["LogConfig"],
              (Json{{"Type", "json-file"}, {"Config", {{"max-size", "1m"}}}}));
    EXPECT_EQ(
        b["Healthcheck"],
        (Json{{"Test", {"CMD-SHELL", "true"}}, {"Interval", 90'000'000'000LL}, {"Retries", 3}}));
    EXPECT_EQ(request_for({"--no-healthcheck", "busybox"})->body["Healthcheck"],
              (Json{{"Test", {"NONE"}}}));
    EXPECT_EQ(request_for({"--no-healthcheck", "--health-cmd", "x", "busybox"}).error().message,
              "--no-healthcheck conflicts with --health-* options");
    EXPECT_EQ(request_for({"--rm", "--restart", "always", "busybox"}).error().message,
              "Conflicting options: --restart and --rm");
    EXPECT_EQ(request_for({"--rm", "busybox"})->body["HostConfig"]["AutoRemove"], true);
}

TEST(RunNetworkingConfig, NoEndpointWithoutEndpointFlags) {
    auto req = request_for({"--network", "appnet", "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    EXPECT_EQ(req->body["HostConfig"]["NetworkMode"], "appnet");
    EXPECT_EQ(req->body["NetworkingConfig"], (Json{{"EndpointsConfig", Json::object()}}));
    auto old_name = request_for({"--net", "appnet", "busybox"});
    EXPECT_EQ(old_name->body["HostConfig"]["NetworkMode"], "appnet");
}

TEST(RunNetworkingConfig, AddressesAndAliasesConfigureTheNetworksEndpoint) {
    auto req = request_for({"--network", "appnet", "--ip", "10.0.0.5", "--ip6", "fd00::5", "--network-alias", "api",
                            "--net-alias", "web", "--link-local-ip", "169.254.1.1", "--link", "db:db", "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    const Json& e = req->body["NetworkingConfig"]["EndpointsConfig"]["appnet"];
    EXPECT_EQ(e["IPAMConfig"], Json::parse(R"({"IPv4Address":"10.0.0.5","IPv6Address":"fd00::5",
                                                 "LinkLocalIPs":["169.254.1.1"]})"));
    EXPECT_EQ(e["Aliases"], (Json{"api", "web"}));
    EXPECT_TRUE(e["Links"].is_null());
    EXPECT_EQ(e["NetworkID"], "");
    EXPECT_EQ(req->body["HostConfig"]["Links"], (Json{"db:db"}));
}

TEST(RunNetworkingConfig, AddressOnTheDefaultNetworkIsTheDaemonsToRefuse) {
    auto req = request_for({"--ip", "172.17.0.9", "busybox"});
    ASSERT_TRUE(req) << req.error().message;
    EXPECT_EQ(req->body["NetworkingConfig"]["EndpointsConfig"]["default"]["IPAMConfig"],
              (Json{{"IPv4Address", "172.17.0.9"}}));
    EXPECT_EQ(request_for({"--network-alias", "x", "busybox"}).error().message,
              "network-scoped aliases are only supported for user-defined networks");
    EXPECT_EQ(request_for({"--network", "bridge", "--network-alias", "x", "busybox"}).error().message,
              "network-scoped aliases are only supported for user-defined networks");
}

}  // namespace
}  // namespace berth::cli

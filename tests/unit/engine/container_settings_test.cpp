#include "engine/container_settings.hpp"

#include <gtest/gtest.h>

#include "engine/container_settings_internal.hpp"
#include "engine/oci_spec_builder.hpp"

namespace berth::engine {
namespace {

Json body_with_host(Json host_config) {
    return Json{{"Image", "busybox"}, {"Cmd", {"true"}}, {"HostConfig", std::move(host_config)}};
}

// The error message of parsing `body`, or "" when it parsed.
std::string error_of(const Json& body) {
    auto r = parse_create_request(body);
    if (r) return "";
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument) << r.error().message;
    return r.error().message;
}

std::string host_error(Json host_config) {
    return error_of(body_with_host(std::move(host_config)));
}

#define EXPECT_CONTAINS(haystack, needle) \
    EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

TEST(ContainerSettings, MinimalRequestFillsInspectDefaults) {
    auto s = parse_create_request(Json{{"Image", "busybox"}});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->image, "busybox");
    EXPECT_EQ(s->config["Image"], "busybox");
    EXPECT_EQ(s->config["Labels"], Json::object());
    EXPECT_TRUE(s->config["Cmd"].is_null());
    EXPECT_FALSE(s->config.contains("StopSignal"));
    const Json& h = s->host_config;
    EXPECT_EQ(h["NetworkMode"], "default");
    EXPECT_EQ(h["RestartPolicy"], (Json{{"Name", "no"}, {"MaximumRetryCount", 0}}));
    EXPECT_EQ(h["LogConfig"], (Json{{"Type", "json-file"}, {"Config", Json::object()}}));
    EXPECT_EQ(h["ShmSize"], 67108864);
    EXPECT_EQ(h["IpcMode"], "private");
    EXPECT_TRUE(h["PidsLimit"].is_null());
    EXPECT_TRUE(h["MemorySwappiness"].is_null());
    EXPECT_EQ(h["ConsoleSize"], Json::array({0, 0}));
    EXPECT_EQ(h["MaskedPaths"].size(), 10u);
    EXPECT_EQ(h["ReadonlyPaths"].size(), 5u);
    for (auto* key : {"Binds", "CapAdd", "CapDrop", "Dns", "CpuShares", "Memory", "NanoCpus",
                      "BlkioWeightDevice", "Devices", "Ulimits", "OomKillDisable", "Runtime"})
        EXPECT_TRUE(h.contains(key)) << key;
    EXPECT_EQ(s->stop_signal, "SIGTERM");
    EXPECT_FALSE(s->stop_timeout);
    EXPECT_EQ(s->restart.name, "no");
    EXPECT_EQ(s->log.type, "json-file");
    EXPECT_EQ(s->network_mode, "default");
}

TEST(ContainerSettings, TypedViewFollowsTheRequest) {
    auto s = parse_create_request(Json::parse(R"({
        "Image": "alpine:3", "Entrypoint": "/bin/sh", "Cmd": ["-c", "echo hi"],
        "Env": ["A=1"], "WorkingDir": "/w", "User": "nobody", "Hostname": "h", "Domainname": "d",
        "Tty": true, "OpenStdin": true, "StdinOnce": true, "AttachStdin": true,
        "AttachStdout": true, "AttachStderr": true, "Labels": {"a": "b"},
        "StopSignal": "SIGINT", "StopTimeout": 3,
        "Healthcheck": {"Test": ["CMD", "true"], "Interval": 2000000000, "Retries": 4},
        "HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
                       "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}},
                       "NetworkMode": "host", "Init": true, "Privileged": true, "ReadonlyRootfs": true}
    })"));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->entrypoint, std::vector<std::string>{"/bin/sh"});
    EXPECT_EQ(s->config["Entrypoint"], Json::array({"/bin/sh"}));  // strslice normalised
    EXPECT_EQ(s->cmd, (std::vector<std::string>{"-c", "echo hi"}));
    EXPECT_EQ(s->env, std::vector<std::string>{"A=1"});
    EXPECT_EQ(s->working_dir, "/w");
    EXPECT_EQ(s->user, "nobody");
    EXPECT_EQ(s->hostname, "h");
    EXPECT_EQ(s->domainname, "d");
    EXPECT_TRUE(s->tty && s->open_stdin && s->stdin_once && s->attach_stdin && s->attach_stdout &&
                s->attach_stderr);
    EXPECT_EQ(s->labels.at("a"), "b");
    EXPECT_EQ(s->stop_signal, "SIGINT");
    EXPECT_EQ(s->stop_timeout, 3);
    ASSERT_TRUE(s->healthcheck);
    EXPECT_EQ(s->healthcheck->test, (std::vector<std::string>{"CMD", "true"}));
    EXPECT_EQ(s->healthcheck->interval_ns, 2000000000);
    EXPECT_EQ(s->healthcheck->retries, 4);
    EXPECT_EQ(s->restart, (RestartPolicy{"on-failure", 5}));
    EXPECT_EQ(s->log.config.at("max-size"), "10m");
    EXPECT_EQ(s->network_mode, "host");
    EXPECT_TRUE(s->init && s->privileged && s->read_only);
    // Privileged containers have nothing masked; dockerd leaves the lists unset.
    EXPECT_TRUE(s->host_config["MaskedPaths"].is_null());
}

TEST(ContainerSettings, HealthcheckNoneDisables) {
    auto s =
        parse_create_request(Json::parse(R"({"Image": "x", "Healthcheck": {"Test": ["NONE"]}})"));
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->healthcheck);
}

TEST(ContainerSettings, WrongTypesAreRefused) {
    EXPECT_CONTAINS(error_of(Json{{"Image", "x"}, {"Tty", "yes"}}), "Config.Tty");
    EXPECT_CONTAINS(error_of(Json{{"Image", "x"}, {"Env", {1}}}), "Config.Env");
    EXPECT_CONTAINS(error_of(Json{{"Image", "x"}, {"Labels", {{"a", 1}}}}), "Config.Labels");
    EXPECT_CONTAINS(host_error(Json{{"Memory", "1g"}}), "HostConfig.Memory");
    EXPECT_CONTAINS(error_of(Json::array()), "Config cannot be empty");
}

TEST(ContainerSettings, RestartPolicyValidation) {
    EXPECT_CONTAINS(host_error({{"RestartPolicy", {{"Name", "sometimes"}}}}),
                    "invalid restart policy 'sometimes'");
    EXPECT_CONTAINS(
        host_error({{"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", -1}}}}),
        "maximum retry count cannot be negative");
    EXPECT_CONTAINS(host_error({{"RestartPolicy", {{"Name", "always"}, {"MaximumRetryCount", 2}}}}),
                    "maximum retry count cannot be used with restart policy 'always'");
    EXPECT_CONTAINS(host_error({{"AutoRemove", true}, {"RestartPolicy", {{"Name", "always"}}}}),
                    "Conflicting options: AutoRemove and restart policy");
    EXPECT_EQ(host_error({{"AutoRemove", true}, {"RestartPolicy", {{"Name", "no"}}}}), "");
    EXPECT_EQ(host_error({{"RestartPolicy", {{"Name", "unless-stopped"}}}}), "");
    auto s = parse_create_request(body_with_host({{"RestartPolicy", {{"Name", ""}}}}));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->restart.name, "no");
}

TEST(ContainerSettings, MemoryValidation) {
    EXPECT_CONTAINS(host_error({{"Memory", 1024 * 1024}}), "Minimum memory limit allowed is 6MB");
    EXPECT_CONTAINS(host_error({{"Memory", 64 << 20}, {"MemorySwap", 32 << 20}}),
                    "Minimum memoryswap limit should be larger than memory limit");
    EXPECT_CONTAINS(host_error({{"MemorySwap", 64 << 20}}),
                    "You should always set the Memory limit");
    EXPECT_CONTAINS(host_error({{"MemorySwappiness", 101}}),
                    "valid memory swappiness range is 0-100");
    EXPECT_CONTAINS(host_error({{"Memory", 64 << 20}, {"MemoryReservation", 128 << 20}}),
                    "Minimum memory limit can not be less than memory reservation limit");
    EXPECT_EQ(host_error({{"Memory", 64 << 20}, {"MemorySwap", -1}}), "");
}

TEST(ContainerSettings, CpuValidation) {
    EXPECT_CONTAINS(host_error({{"NanoCpus", 500000000}, {"CpuPeriod", 100000}}),
                    "Conflicting options: Nano CPUs and CPU Period cannot both be set");
    EXPECT_CONTAINS(host_error({{"NanoCpus", 500000000}, {"CpuQuota", 50000}}),
                    "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
    int n = detail::host_cpu_count();
    std::string range = "Range of CPUs is from 0.01 to " + std::to_string(n) +
                        ".00, as there are only " + std::to_string(n) + " CPUs available";
    EXPECT_CONTAINS(host_error({{"NanoCpus", (n + 1) * 1000000000LL}}), range);
    EXPECT_EQ(host_error({{"NanoCpus", n * 1000000000LL}}), "");
    EXPECT_CONTAINS(host_error({{"CpuShares", -1}}), "invalid CPU shares");
    EXPECT_CONTAINS(host_error({{"CpuPeriod", 100}}), "CPU cfs period can not be less than 1ms");
    EXPECT_CONTAINS(host_error({{"CpuQuota", 10}}), "CPU cfs quota can not be less than 1ms");
}

TEST(ContainerSettings, CpuSharesBelowTwoAreRaisedWithAWarning) {
    std::vector<std::string> warnings;
    auto s = parse_create_request(body_with_host({{"CpuShares", 1}}), &warnings);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->host_config["CpuShares"], 2);
    ASSERT_EQ(warnings.size(), 1u);
}

TEST(ContainerSettings, CpusetsMustExistOnTheHost) {
    std::string available = detail::host_cpuset_cpus();
    EXPECT_EQ(host_error({{"CpusetCpus", "0"}}), "");
    EXPECT_EQ(host_error({{"CpusetCpus", "0-99"}}),
              "Requested CPUs are not available - requested 0-99, available: " + available);
    EXPECT_CONTAINS(host_error({{"CpusetMems", "64"}}), "Requested memory nodes are not available");
    EXPECT_CONTAINS(host_error({{"CpusetCpus", "x"}}), "Invalid value x for cpuset cpus");
}

TEST(ContainerSettings, CpusetWithin) {
    EXPECT_EQ(detail::cpuset_within("0-1,3", "0-3"), true);
    EXPECT_EQ(detail::cpuset_within("4", "0-3"), false);
    EXPECT_EQ(detail::cpuset_within("3-1", "0-3"), std::nullopt);
}

TEST(ContainerSettings, PidsBlkioOomShm) {
    auto s = parse_create_request(body_with_host({{"PidsLimit", 0}}));
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->host_config["PidsLimit"].is_null());
    s = parse_create_request(body_with_host({{"PidsLimit", -5}}));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->host_config["PidsLimit"], -1);
    EXPECT_CONTAINS(host_error({{"BlkioWeight", 5}}), "Range of blkio weight is from 10 to 1000");
    EXPECT_CONTAINS(host_error({{"BlkioWeight", 1001}}),
                    "Range of blkio weight is from 10 to 1000");
    EXPECT_CONTAINS(host_error({{"BlkioWeightDevice", {{{"Path", "/dev/null"}, {"Weight", 5}}}}}),
                    "Range of blkio weight is from 10 to 1000");
    EXPECT_CONTAINS(host_error({{"OomScoreAdj", 1001}}),
                    "range for oom score adj is [-1000, 1000]");
    EXPECT_CONTAINS(host_error({{"OomScoreAdj", -1001}}),
                    "range for oom score adj is [-1000, 1000]");
    EXPECT_CONTAINS(host_error({{"ShmSize", -1}}), "SHM size can not be less than 0");
}

TEST(ContainerSettings, UlimitsDevicesRules) {
    EXPECT_CONTAINS(host_error({{"Ulimits", {{{"Name", "nofiles"}, {"Soft", 1}, {"Hard", 2}}}}}),
                    "invalid ulimit type: nofiles");
    EXPECT_CONTAINS(host_error({{"Ulimits", {{{"Name", "nofile"}, {"Soft", 3}, {"Hard", 2}}}}}),
                    "ulimit soft limit must be less than or equal to hard limit: 3 > 2");
    EXPECT_EQ(host_error({{"Ulimits", {{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}}}),
              "");
    EXPECT_CONTAINS(
        host_error({{"Devices", {{{"PathOnHost", "/dev/null"}, {"CgroupPermissions", "rwx"}}}}}),
        "invalid device mode: rwx");
    EXPECT_CONTAINS(host_error({{"Devices", {{{"PathOnHost", "dev/null"}}}}}),
                    "is not an absolute path");
    EXPECT_CONTAINS(host_error({{"DeviceCgroupRules", {"c 1:3 rwz"}}}),
                    "invalid device cgroup rule format");
    EXPECT_EQ(host_error({{"DeviceCgroupRules", {"c 1:* rwm", "b *:* m"}}}), "");
}

TEST(ContainerSettings, BindsTmpfsMounts) {
    EXPECT_EQ(host_error({{"Binds", {"/tmp:/data:ro", "/tmp:/data2:rw,rslave,z"}}}), "");
    EXPECT_EQ(host_error({{"Binds", {"/nonexistent-berth:/data"}}}),
              "invalid mount config: bind source path does not exist: /nonexistent-berth");
    EXPECT_CONTAINS(host_error({{"Binds", {"myvol:/data"}}}), "named volumes");
    EXPECT_CONTAINS(host_error({{"Binds", {"myvol:/data"}}}), "not supported yet");
    EXPECT_CONTAINS(host_error({{"Binds", {"/tmp:data"}}}), "mount path must be absolute");
    EXPECT_CONTAINS(host_error({{"Binds", {"/tmp:/data:rx"}}}), "invalid mode: rx");
    EXPECT_CONTAINS(host_error({{"Binds", {"/tmp:/data:ro,rw"}}}), "invalid mode: ro,rw");
    EXPECT_CONTAINS(host_error({{"Binds", {"/tmp"}}}), "not supported yet");
    EXPECT_EQ(host_error({{"Tmpfs", {{"/run", "size=64m,mode=1777"}}}}), "");
    EXPECT_CONTAINS(host_error({{"Tmpfs", {{"/run", "sized=64m"}}}}), "invalid tmpfs option");
    EXPECT_CONTAINS(host_error({{"Tmpfs", {{"/run", "mode=999"}}}}), "invalid tmpfs option");
    EXPECT_CONTAINS(host_error({{"Tmpfs", {{"run", ""}}}}), "must be absolute");
    EXPECT_EQ(host_error({{"Mounts", {{{"Type", "bind"}, {"Source", "/tmp"}, {"Target", "/t"}}}}}),
              "");
    EXPECT_CONTAINS(
        host_error({{"Mounts", {{{"Type", "volume"}, {"Source", "v"}, {"Target", "/t"}}}}}),
        "named volumes are not supported yet");
    EXPECT_CONTAINS(
        host_error(
            {{"Mounts", {{{"Type", "bind"}, {"Source", "/nonexistent-berth"}, {"Target", "/t"}}}}}),
        "bind source path does not exist");
}

TEST(ContainerSettings, LogConfigValidation) {
    EXPECT_CONTAINS(host_error({{"LogConfig", {{"Type", "syslog"}}}}),
                    "no log driver named 'syslog'");
    EXPECT_EQ(host_error({{"LogConfig", {{"Type", "none"}}}}), "");
    EXPECT_CONTAINS(
        host_error({{"LogConfig", {{"Type", "json-file"}, {"Config", {{"max-sise", "1m"}}}}}}),
        "unknown log opt 'max-sise' for json-file log driver");
    EXPECT_CONTAINS(
        host_error({{"LogConfig", {{"Type", "json-file"}, {"Config", {{"max-size", "ten"}}}}}}),
        "invalid max-size");
    EXPECT_CONTAINS(host_error({{"LogConfig",
                                 {{"Type", "json-file"},
                                  {"Config", {{"max-size", "1m"}, {"max-file", "0"}}}}}}),
                    "max-file cannot be less than 1");
}

TEST(ContainerSettings, CapabilitiesAndSecurityOpts) {
    EXPECT_EQ(host_error({{"CapAdd", {"NET_ADMIN", "CAP_SYS_TIME", "all"}}, {"CapDrop", {"ALL"}}}),
              "");
    EXPECT_CONTAINS(host_error({{"CapAdd", {"NET_ADMINN"}}}),
                    "unknown capability: \"CAP_NET_ADMINN\"");
    EXPECT_EQ(host_error({{"SecurityOpt",
                           {"no-new-privileges", "seccomp=unconfined", "apparmor=unconfined"}}}),
              "");
    EXPECT_CONTAINS(host_error({{"SecurityOpt", {"seccomp={not json"}}}),
                    "Decoding seccomp profile failed");
    EXPECT_CONTAINS(host_error({{"SecurityOpt", {"bogus=1"}}}), "invalid --security-opt");
}

TEST(ContainerSettings, NetworkModes) {
    for (auto* mode : {"default", "bridge", "none", "host", "container:abc"})
        EXPECT_EQ(host_error({{"NetworkMode", mode}}), "") << mode;
    // A user-defined network passes the request's checks; whether it exists is the
    // container service's (it knows the networks).
    EXPECT_EQ(host_error({{"NetworkMode", "mynet"}}), "");
    EXPECT_NE(host_error({{"NetworkMode", "container:"}}), "");
}

TEST(ContainerSettings, ConfigValidation) {
    EXPECT_CONTAINS(error_of(Json{{"Image", "x"}, {"StopSignal", "SIGNOPE"}}),
                    "Invalid signal: SIGNOPE");
    EXPECT_CONTAINS(
        error_of(Json{{"Image", "x"}, {"Healthcheck", {{"Test", {"CMD", "x"}}, {"Interval", 10}}}}),
        "Interval in Healthcheck cannot be less than 1ms");
    EXPECT_CONTAINS(
        error_of(Json{{"Image", "x"}, {"Healthcheck", {{"Test", {"CMD", "x"}}, {"Retries", -1}}}}),
        "Retries in Healthcheck cannot be negative");
}

image::ContainerConfig busybox_like_image() {
    image::ContainerConfig img;
    img.env = {"PATH=/usr/bin:/bin", "LANG=C"};
    img.cmd = std::vector<std::string>{"sh"};
    img.working_dir = "/home";
    img.user = "daemon";
    img.labels = {{"maintainer", "img"}, {"shared", "img"}};
    img.exposed_ports = {"80/tcp"};
    img.volumes = {"/data"};
    img.stop_signal = "SIGQUIT";
    img.healthcheck = image::HealthConfig{{"CMD-SHELL", "true"}, 5000000000, 1000000000, 0, 0, 2};
    img.on_build = {"RUN echo"};
    return img;
}

TEST(ImageMerge, ImageFillsWhatTheRequestLeftOut) {
    auto s = parse_create_request(
        Json{{"Image", "busybox"}, {"Env", {"LANG=en", "X=1"}}, {"Labels", {{"shared", "mine"}}}});
    ASSERT_TRUE(s);
    merge_image_config(*s, busybox_like_image());
    EXPECT_EQ(s->cmd, std::vector<std::string>{"sh"});
    EXPECT_EQ(s->env, (std::vector<std::string>{"LANG=en", "X=1", "PATH=/usr/bin:/bin"}));
    EXPECT_EQ(s->working_dir, "/home");
    EXPECT_EQ(s->user, "daemon");
    EXPECT_EQ(s->labels.at("shared"), "mine");
    EXPECT_EQ(s->labels.at("maintainer"), "img");
    EXPECT_EQ(s->config["ExposedPorts"], (Json{{"80/tcp", Json::object()}}));
    EXPECT_EQ(s->config["Volumes"], (Json{{"/data", Json::object()}}));
    EXPECT_EQ(s->stop_signal, "SIGQUIT");
    ASSERT_TRUE(s->healthcheck);
    EXPECT_EQ(s->healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "true"}));
    EXPECT_EQ(s->healthcheck->retries, 2);
    EXPECT_TRUE(s->config["OnBuild"].is_null());
    EXPECT_EQ(s->config["Image"], "busybox");
}

TEST(ImageMerge, GivenEntrypointDropsImageCmd) {
    auto s = parse_create_request(Json{{"Image", "x"}, {"Entrypoint", {"/bin/echo"}}});
    ASSERT_TRUE(s);
    auto img = busybox_like_image();
    img.entrypoint = std::vector<std::string>{"/entry"};
    merge_image_config(*s, img);
    EXPECT_EQ(s->entrypoint, std::vector<std::string>{"/bin/echo"});
    EXPECT_TRUE(s->cmd.empty());
}

TEST(ImageMerge, GivenCmdKeepsImageEntrypoint) {
    auto s = parse_create_request(Json{{"Image", "x"}, {"Cmd", {"-l"}}});
    ASSERT_TRUE(s);
    auto img = busybox_like_image();
    img.entrypoint = std::vector<std::string>{"/entry"};
    merge_image_config(*s, img);
    EXPECT_EQ(s->entrypoint, std::vector<std::string>{"/entry"});
    EXPECT_EQ(s->cmd, std::vector<std::string>{"-l"});
}

TEST(ImageMerge, EmptyEntrypointStringClearsBoth) {
    auto s = parse_create_request(Json{{"Image", "x"}, {"Entrypoint", {""}}, {"Cmd", {"ls"}}});
    ASSERT_TRUE(s);
    auto img = busybox_like_image();
    img.entrypoint = std::vector<std::string>{"/entry"};
    merge_image_config(*s, img);
    EXPECT_TRUE(s->entrypoint.empty());
    EXPECT_EQ(s->cmd, std::vector<std::string>{"ls"});
}

TEST(ImageMerge, PartialHealthcheckTakesTheRestFromTheImage) {
    auto s =
        parse_create_request(Json{{"Image", "x"}, {"Healthcheck", {{"Interval", 7000000000}}}});
    ASSERT_TRUE(s);
    merge_image_config(*s, busybox_like_image());
    ASSERT_TRUE(s->healthcheck);
    EXPECT_EQ(s->healthcheck->interval_ns, 7000000000);
    EXPECT_EQ(s->healthcheck->timeout_ns, 1000000000);
    EXPECT_EQ(s->healthcheck->test[0], "CMD-SHELL");
}

TEST(SettingsFromJson, RoundTripsWhatInspectShows) {
    auto s = parse_create_request(Json::parse(R"({
        "Image": "busybox", "Cmd": ["sleep", "1"], "Tty": true, "StopTimeout": 4,
        "HostConfig": {"Binds": ["/tmp:/t:ro"], "Memory": 67108864, "CapAdd": ["NET_ADMIN"],
                       "RestartPolicy": {"Name": "always"}, "Tmpfs": {"/run": "size=1m"},
                       "LogConfig": {"Type": "none"}, "Init": true},
        "NetworkingConfig": {"EndpointsConfig": {}}
    })"));
    ASSERT_TRUE(s) << s.error().message;
    merge_image_config(*s, busybox_like_image());
    auto back = settings_from_json(s->config, s->host_config, s->networking_config);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, *s);
    EXPECT_EQ(back->config.dump(), s->config.dump());
}

TEST(SettingsFromJson, DoesNotCheckTheHost) {
    Json h = {{"Binds", {"/nonexistent-berth:/x"}}, {"CpusetCpus", "0-999"}};
    auto back = settings_from_json(Json{{"Image", "x"}}, h, nullptr);
    ASSERT_TRUE(back) << back.error().message;
    auto bad = settings_from_json(Json{{"Image", "x"}}, Json{{"RestartPolicy", {{"Name", "bad"}}}},
                                  nullptr);
    ASSERT_FALSE(bad);
    EXPECT_CONTAINS(bad.error().message, "invalid restart policy");
}

TEST(ApplyUpdate, ChangesResourcesAndRestartPolicy) {
    auto s = parse_create_request(body_with_host({{"Memory", 64 << 20}, {"CpuShares", 512}}));
    ASSERT_TRUE(s);
    auto w = apply_update(
        *s, Json{{"Memory", 128 << 20},
                 {"CpuShares", 0},
                 {"NanoCpus", 500000000},
                 {"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", 2}}}});
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(s->host_config["Memory"], 128 << 20);
    EXPECT_EQ(s->host_config["CpuShares"], 512);  // zero means "leave as is"
    EXPECT_EQ(s->host_config["NanoCpus"], 500000000);
    EXPECT_EQ(s->restart, (RestartPolicy{"on-failure", 2}));
}

TEST(ApplyUpdate, ValidatesLikeCreateAndKeepsStateOnError) {
    auto s =
        parse_create_request(body_with_host({{"Memory", 64 << 20}, {"MemorySwap", 128 << 20}}));
    ASSERT_TRUE(s);
    auto before = *s;
    auto r = apply_update(*s, Json{{"Memory", 1024}});
    ASSERT_FALSE(r);
    EXPECT_CONTAINS(r.error().message, "Minimum memory limit allowed is 6MB");
    r = apply_update(*s, Json{{"Memory", 256 << 20}});
    ASSERT_FALSE(r);
    EXPECT_CONTAINS(r.error().message, "update the memoryswap at the same time");
    r = apply_update(*s, Json{{"RestartPolicy", {{"Name", "whenever"}}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(*s, before);
    auto auto_rm = parse_create_request(body_with_host({{"AutoRemove", true}}));
    ASSERT_TRUE(auto_rm);
    r = apply_update(*auto_rm, Json{{"RestartPolicy", {{"Name", "always"}}}});
    ASSERT_FALSE(r);
    EXPECT_CONTAINS(r.error().message, "AutoRemove");
}

TEST(DockerSize, ParsesDockerWords) {
    EXPECT_EQ(parse_docker_size("10m").value(), 10 << 20);
    EXPECT_EQ(parse_docker_size("1g").value(), 1LL << 30);
    EXPECT_EQ(parse_docker_size("7").value(), 7);
    EXPECT_FALSE(parse_docker_size("ten"));
}

}  // namespace
}  // namespace berth::engine

namespace berth::engine {
namespace {

TEST(ContainerSettings, OddTypesAreErrorsNotExceptions) {
    EXPECT_CONTAINS(host_error({{"ConsoleSize", {"a", "b"}}}), "ConsoleSize");
    EXPECT_CONTAINS(host_error({{"RestartPolicy", {{"Name", 5}}}}), "RestartPolicy.Name");
    EXPECT_CONTAINS(host_error({{"LogConfig", {{"Type", true}}}}), "LogConfig.Type");
    EXPECT_CONTAINS(host_error({{"Ulimits", {{{"Name", "nofile"}, {"Soft", "1"}, {"Hard", 2}}}}}),
                    "must be integers");
    EXPECT_CONTAINS(host_error({{"Sysctls", {{"net.core.somaxconn", 5}}}}), "HostConfig.Sysctls");
}

// Every HostConfig and Config key given every JSON type: parsing (and, when it
// passes, building the spec) answers with a value, never an exception.
TEST(ContainerSettings, NoKeyOfAnyTypeThrows) {
    auto base = parse_create_request(Json{{"Image", "x"}});
    ASSERT_TRUE(base);
    const std::vector<Json> samples = {
        nullptr,       true,          -7, 3.5, "s", Json::array({1, "a"}), Json::object({{"k", 1}}),
        Json::array(), Json::object()};
    auto try_body = [&](const Json& body) {
        std::optional<Result<ContainerSettings>> r;
        EXPECT_NO_THROW(r = parse_create_request(body)) << body.dump();
        // Validation names the field; the last-resort guard's words mean it missed one.
        if (r && !*r) {
            EXPECT_EQ((*r).error().message.find("json.exception"), std::string::npos)
                << body.dump();
        }
        if (r && *r) {
            // The host's / as the rootfs: only its /etc/passwd and /etc/group are read.
            SpecContext ctx{"abcdef0123456789", "/"};
            ctx.init_path = "/bin/true";
            std::optional<Result<oci::Config>> spec;
            EXPECT_NO_THROW(spec = build_oci_spec(**r, ctx)) << body.dump();
            if (spec && !*spec) {
                EXPECT_EQ((*spec).error().message.find("json.exception"), std::string::npos)
                    << body.dump() << ": " << (*spec).error().message;
            }
            EXPECT_NO_THROW((void)settings_from_json((*r)->config, (*r)->host_config, nullptr));
        }
    };
    for (auto& [key, _] : base->host_config.items())
        for (auto& v : samples)
            try_body(Json{{"Image", "x"}, {"Cmd", {"sh"}}, {"HostConfig", {{key, v}}}});
    for (auto& [key, _] : base->config.items())
        for (auto& v : samples) try_body(Json{{"Image", "x"}, {key, v}});
    for (auto* key : {"RestartPolicy", "LogConfig"})
        for (auto& v : samples)
            for (auto* inner : {"Name", "MaximumRetryCount", "Type", "Config"})
                try_body(Json{{"Image", "x"}, {"HostConfig", {{key, {{inner, v}}}}}});
    for (auto& v : samples) {
        try_body(Json{{"Image", "x"}, {"Healthcheck", {{"Test", v}}}});
        auto s = *base;
        EXPECT_NO_THROW(
            (void)apply_update(s, Json{{"Memory", v}, {"RestartPolicy", {{"Name", v}}}}));
    }
}

}  // namespace
}  // namespace berth::engine

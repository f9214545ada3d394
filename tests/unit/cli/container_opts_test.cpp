#include "cli/berth/container_opts.hpp"

#include <gtest/gtest.h>

#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

// Expected values follow docker 20.10's opts package, go-connections/nat and
// go-units as the docker CLI uses them.
TEST(ContainerOpts, MemorySizesUseBinaryUnits) {
    EXPECT_EQ(parse_size("512m").value(), 512LL << 20);
    EXPECT_EQ(parse_size("1g").value(), 1LL << 30);
    EXPECT_EQ(parse_size("1.5g").value(), 3LL << 29);
    EXPECT_EQ(parse_size("100k").value(), 102400);
    EXPECT_EQ(parse_size("7").value(), 7);
    EXPECT_EQ(parse_size("lots").error().message, "invalid size: 'lots'");
    EXPECT_EQ(parse_memory_swap("-1").value(), -1);
    EXPECT_EQ(parse_memory_swap("2g").value(), 2LL << 30);
}

TEST(ContainerOpts, CpusAreExactNanoCpus) {
    EXPECT_EQ(parse_nano_cpus("1.5").value(), 1'500'000'000);
    EXPECT_EQ(parse_nano_cpus("0.000000001").value(), 1);
    EXPECT_EQ(parse_nano_cpus("2").value(), 2'000'000'000);
    EXPECT_EQ(parse_nano_cpus(".5").value(), 500'000'000);
    EXPECT_EQ(parse_nano_cpus("0.0000000001").error().message, "value is too precise");
    EXPECT_EQ(parse_nano_cpus("one").error().message, "failed to parse one as a rational number");
}

TEST(ContainerOpts, PublishedPortsBecomeExposedPortsAndBindings) {
    PortSet ports;
    ASSERT_TRUE(add_published_port(ports, "8080:80"));
    ASSERT_TRUE(add_published_port(ports, "127.0.0.1:53:53/udp"));
    ASSERT_TRUE(add_published_port(ports, "[::1]:9000-9001:9000-9001"));
    ASSERT_TRUE(add_published_port(ports, "443"));
    EXPECT_EQ(ports.exposed, (Json{{"80/tcp", Json::object()},
                                   {"53/udp", Json::object()},
                                   {"9000/tcp", Json::object()},
                                   {"9001/tcp", Json::object()},
                                   {"443/tcp", Json::object()}}));
    EXPECT_EQ(ports.bindings["80/tcp"], (Json::array({{{"HostIp", ""}, {"HostPort", "8080"}}})));
    EXPECT_EQ(ports.bindings["53/udp"],
              (Json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "53"}}})));
    EXPECT_EQ(ports.bindings["9001/tcp"],
              (Json::array({{{"HostIp", "::1"}, {"HostPort", "9001"}}})));
    EXPECT_EQ(ports.bindings["443/tcp"], (Json::array({{{"HostIp", ""}, {"HostPort", ""}}})));
}

TEST(ContainerOpts, HostPortRangeForOneContainerPortStaysARange) {
    PortSet ports;
    ASSERT_TRUE(add_published_port(ports, "8000-8010:80"));
    EXPECT_EQ(ports.bindings["80/tcp"],
              (Json::array({{{"HostIp", ""}, {"HostPort", "8000-8010"}}})));
}

TEST(ContainerOpts, BadPortSpecsAreRefusedInDockersWords) {
    PortSet ports;
    EXPECT_EQ(add_published_port(ports, "8080:http").error().message,
              "Invalid containerPort: http");
    EXPECT_EQ(add_published_port(ports, "x:80").error().message, "Invalid hostPort: x");
    EXPECT_EQ(add_published_port(ports, "1.2.3:80:80").error().message,
              "Invalid ip address: 1.2.3");
    EXPECT_EQ(add_published_port(ports, "80/icmp").error().message, "Invalid proto: icmp");
    EXPECT_EQ(add_published_port(ports, "8000-8002:80-81").error().message,
              "Invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
    EXPECT_EQ(add_published_port(ports, "70000").error().message, "Invalid containerPort: 70000");
}

TEST(ContainerOpts, ExposeTakesRangesAndProtocols) {
    PortSet ports;
    ASSERT_TRUE(add_exposed_port(ports, "7000-7001"));
    ASSERT_TRUE(add_exposed_port(ports, "53/udp"));
    EXPECT_EQ(ports.exposed, (Json{{"7000/tcp", Json::object()},
                                   {"7001/tcp", Json::object()},
                                   {"53/udp", Json::object()}}));
    EXPECT_TRUE(ports.bindings.empty());
    EXPECT_FALSE(add_exposed_port(ports, "x"));
}

TEST(ContainerOpts, Ulimits) {
    EXPECT_EQ(parse_ulimit("nofile=1024:2048").value(),
              (Json{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}));
    EXPECT_EQ(parse_ulimit("nproc=10").value(),
              (Json{{"Name", "nproc"}, {"Soft", 10}, {"Hard", 10}}));
    EXPECT_EQ(parse_ulimit("nofile").error().message, "invalid ulimit argument: nofile");
    EXPECT_EQ(parse_ulimit("files=1").error().message, "invalid ulimit type: files");
    EXPECT_EQ(parse_ulimit("nofile=5:1").error().message,
              "ulimit soft limit must be less than or equal to hard limit: 5 > 1");
    EXPECT_EQ(parse_ulimit("nofile=1:2:3").error().message,
              "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`");
}

TEST(ContainerOpts, EnvFileLines) {
    EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "HOME_SET") return "value";
        return std::nullopt;
    };
    auto lines =
        parse_key_value_lines("# comment\n\n  A=1\nB=two words\r\nHOME_SET\nUNSET\n", &env);
    ASSERT_TRUE(lines) << lines.error().message;
    EXPECT_EQ(*lines, (std::vector<std::string>{"A=1", "B=two words", "HOME_SET=value", "UNSET"}));
    EXPECT_EQ(parse_key_value_lines("BAD NAME=1\n", &env).error().message,
              "variable 'BAD NAME' contains whitespaces");
    auto labels = parse_key_value_lines("k\nx=y\n", nullptr);
    EXPECT_EQ(*labels, (std::vector<std::string>{"k", "x=y"}));
    EXPECT_EQ(env_entry("HOME_SET", env), "HOME_SET=value");
    EXPECT_EQ(env_entry("X=", env), "X=");
}

TEST(ContainerOpts, Mounts) {
    EXPECT_EQ(
        parse_mount("type=bind,source=/a,target=/b,readonly,bind-propagation=rshared").value(),
        (Json{{"Type", "bind"},
              {"Source", "/a"},
              {"Target", "/b"},
              {"ReadOnly", true},
              {"BindOptions", {{"Propagation", "rshared"}}}}));
    EXPECT_EQ(parse_mount("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770").value(),
              (Json{{"Type", "tmpfs"},
                    {"Target", "/t"},
                    {"TmpfsOptions", {{"SizeBytes", 1 << 20}, {"Mode", 01770}}}}));
    EXPECT_EQ(parse_mount("src=vol,target=/v,ro=false").value(),
              (Json{{"Type", "volume"}, {"Source", "vol"}, {"Target", "/v"}, {"ReadOnly", false}}));
    EXPECT_EQ(parse_mount("type=bind,source=/a").error().message, "target is required");
    EXPECT_EQ(parse_mount("type=bind,target=/b,size=1").error().message,
              "unexpected key 'size' in 'size=1'");
    EXPECT_EQ(parse_mount("type=tmpfs,target=/b,bind-propagation=shared").error().message,
              "cannot mix 'bind-*' options with mount type 'tmpfs'");
    EXPECT_EQ(parse_mount("type=bind,target=/b,bogus").error().message,
              "invalid field 'bogus' must be a key=value pair");
}

TEST(ContainerOpts, VolumesTmpfsAndDevices) {
    EXPECT_TRUE(parse_volume("/a:/b:ro")->is_bind);
    EXPECT_FALSE(parse_volume("/anon")->is_bind);
    EXPECT_EQ(parse_tmpfs("/run:size=64m,noexec").value(),
              (std::pair<std::string, std::string>{"/run", "size=64m,noexec"}));
    EXPECT_EQ(parse_tmpfs("/run").value().second, "");
    EXPECT_EQ(parse_device("/dev/fuse").value(), (Json{{"PathOnHost", "/dev/fuse"},
                                                       {"PathInContainer", "/dev/fuse"},
                                                       {"CgroupPermissions", "rwm"}}));
    EXPECT_EQ(parse_device("/dev/null:r").value()["CgroupPermissions"], "r");
    EXPECT_EQ(parse_device("/dev/null:/dev/x:rw").value()["PathInContainer"], "/dev/x");
    EXPECT_EQ(parse_device("/dev/null:/dev/x:rq").error().message, "bad mode specified: rq");
    EXPECT_EQ(parse_device("/dev/null:x").error().message, "bad format for path: x");
}

TEST(ContainerOpts, BlkioDevices) {
    EXPECT_EQ(parse_throttle_device("/dev/sda:1mb", false).value(),
              (Json{{"Path", "/dev/sda"}, {"Rate", 1 << 20}}));
    EXPECT_EQ(parse_throttle_device("/dev/sda:100", true).value(),
              (Json{{"Path", "/dev/sda"}, {"Rate", 100}}));
    EXPECT_EQ(parse_throttle_device("sda:1", true).error().message,
              "bad format for device path: sda:1");
    EXPECT_EQ(parse_weight_device("/dev/sda:200").value(),
              (Json{{"Path", "/dev/sda"}, {"Weight", 200}}));
    EXPECT_EQ(parse_weight_device("/dev/sda:5").error().message,
              "invalid weight for device: /dev/sda:5");
}

TEST(ContainerOpts, RestartPolicies) {
    EXPECT_EQ(parse_restart_policy("on-failure:3").value(),
              (Json{{"Name", "on-failure"}, {"MaximumRetryCount", 3}}));
    EXPECT_EQ(parse_restart_policy("always").value(),
              (Json{{"Name", "always"}, {"MaximumRetryCount", 0}}));
    EXPECT_EQ(parse_restart_policy("on-failure:x").error().message,
              "maximum retry count must be an integer");
    EXPECT_EQ(parse_restart_policy("a:b:c").error().message, "invalid restart policy format");
}

}  // namespace
}  // namespace berth::cli

#include "oci/default_spec.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "oci/config_parse.hpp"

namespace berth::oci {
namespace {

const Mount* find_mount(const Config& c, std::string_view dest) {
    for (auto& m : c.mounts)
        if (m.destination == dest) return &m;
    return nullptr;
}

std::vector<std::string> namespace_names(const Linux& l) {
    std::vector<std::string> out;
    for (auto& ns : l.namespaces) out.push_back(namespace_type_name(ns.type));
    return out;
}

Config parsed(bool rootless) {
    auto c = parse_config(default_spec(rootless));
    EXPECT_TRUE(c) << c.error().message;
    return c.value_or(Config{});
}

TEST(DefaultSpec, IsAValidConfigForCreate) {
    for (bool rootless : {false, true}) {
        auto c = parse_config(default_spec(rootless));
        ASSERT_TRUE(c) << "rootless=" << rootless << ": " << c.error().message;
        auto v = validate_config(*c, /*need_process=*/true);
        EXPECT_TRUE(v) << "rootless=" << rootless << ": " << v.error().message;
    }
}

TEST(DefaultSpec, ParsesBackToDefaultConfig) {
    EXPECT_TRUE(parsed(false) == default_config(false));
    EXPECT_TRUE(parsed(true) == default_config(true));
}

TEST(DefaultSpec, TopLevelAndProcess) {
    Json j = default_spec(false);
    EXPECT_EQ(j["ociVersion"], kOciVersion);
    EXPECT_EQ(j["root"], (Json{{"path", "rootfs"}, {"readonly", true}}));
    EXPECT_EQ(j["hostname"], "berth");
    const Json& p = j["process"];
    EXPECT_EQ(p["terminal"], true);
    EXPECT_EQ(p["user"], (Json{{"uid", 0}, {"gid", 0}}));
    EXPECT_EQ(p["args"], Json::array({"sh"}));
    EXPECT_EQ(p["env"],
              Json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "TERM=xterm"}));
    EXPECT_EQ(p["cwd"], "/");
    const Json caps = Json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
    EXPECT_EQ(p["capabilities"],
              (Json{{"bounding", caps}, {"effective", caps}, {"permitted", caps}}));
    EXPECT_EQ(p["rlimits"],
              Json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}));
    EXPECT_EQ(p["noNewPrivileges"], true);
}

TEST(DefaultSpec, Mounts) {
    Config c = parsed(false);
    std::vector<std::string> dests;
    for (auto& m : c.mounts) dests.push_back(m.destination);
    EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm",
                                               "/dev/mqueue", "/sys", "/sys/fs/cgroup"}));
    auto* dev = find_mount(c, "/dev");
    ASSERT_TRUE(dev);
    EXPECT_EQ(dev->type, "tmpfs");
    EXPECT_EQ(dev->options,
              (std::vector<std::string>{"nosuid", "strictatime", "mode=755", "size=65536k"}));
    auto* pts = find_mount(c, "/dev/pts");
    ASSERT_TRUE(pts);
    EXPECT_EQ(pts->type, "devpts");
    EXPECT_EQ(pts->options, (std::vector<std::string>{"nosuid", "noexec", "newinstance",
                                                      "ptmxmode=0666", "mode=0620", "gid=5"}));
    auto* shm = find_mount(c, "/dev/shm");
    ASSERT_TRUE(shm);
    EXPECT_EQ(shm->options,
              (std::vector<std::string>{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
    auto* mq = find_mount(c, "/dev/mqueue");
    ASSERT_TRUE(mq);
    EXPECT_EQ(mq->type, "mqueue");
    auto* sys = find_mount(c, "/sys");
    ASSERT_TRUE(sys);
    EXPECT_EQ(sys->type, "sysfs");
    EXPECT_EQ(sys->options, (std::vector<std::string>{"nosuid", "noexec", "nodev", "ro"}));
    auto* cg = find_mount(c, "/sys/fs/cgroup");
    ASSERT_TRUE(cg);
    EXPECT_EQ(cg->type, "cgroup");
    EXPECT_EQ(cg->options,
              (std::vector<std::string>{"nosuid", "noexec", "nodev", "relatime", "ro"}));
    EXPECT_EQ(find_mount(c, "/proc")->type, "proc");
}

TEST(DefaultSpec, LinuxSection) {
    Config c = parsed(false);
    ASSERT_TRUE(c.linux_);
    const Linux& l = *c.linux_;
    EXPECT_EQ(namespace_names(l),
              (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount", "cgroup"}));
    EXPECT_TRUE(l.uid_mappings.empty());
    ASSERT_TRUE(l.resources);
    ASSERT_EQ(l.resources->devices.size(), 1u);
    EXPECT_FALSE(l.resources->devices[0].allow);
    EXPECT_EQ(l.resources->devices[0].access, "rwm");
    EXPECT_EQ(l.masked_paths,
              (std::vector<std::string>{"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list",
                                        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                        "/proc/scsi", "/sys/devices/virtual/powercap"}));
    EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq",
                                                          "/proc/sys", "/proc/sysrq-trigger"}));
}

TEST(DefaultSpec, RootlessMapsTheCallerAndDropsWhatNeedsPrivilege) {
    Config c = parsed(true);
    ASSERT_TRUE(c.linux_);
    const Linux& l = *c.linux_;
    EXPECT_EQ(namespace_names(l), (std::vector<std::string>{"pid", "ipc", "uts", "mount", "user"}));
    ASSERT_EQ(l.uid_mappings.size(), 1u);
    EXPECT_EQ(l.uid_mappings[0].container_id, 0u);
    EXPECT_EQ(l.uid_mappings[0].host_id, ::geteuid());
    EXPECT_EQ(l.uid_mappings[0].size, 1u);
    ASSERT_EQ(l.gid_mappings.size(), 1u);
    EXPECT_EQ(l.gid_mappings[0].host_id, ::getegid());
    EXPECT_FALSE(l.resources);
    auto* sys = find_mount(c, "/sys");
    ASSERT_TRUE(sys);
    EXPECT_EQ(sys->type, "none");
    EXPECT_EQ(sys->source, "/sys");
    EXPECT_EQ(sys->options, (std::vector<std::string>{"rbind", "nosuid", "noexec", "nodev", "ro"}));
    auto* pts = find_mount(c, "/dev/pts");
    ASSERT_TRUE(pts);
    EXPECT_EQ(std::ranges::count(pts->options, "gid=5"), 0);
    EXPECT_EQ(std::ranges::count(pts->options, "newinstance"), 1);
    // Everything else is as in the privileged spec.
    EXPECT_EQ(c.process, default_config(false).process);
    EXPECT_EQ(l.masked_paths, default_config(false).linux_->masked_paths);
}

}  // namespace
}  // namespace berth::oci

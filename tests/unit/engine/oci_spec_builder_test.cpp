#include "engine/oci_spec_builder.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/container_settings.hpp"

namespace berth::engine {
namespace {

namespace fs = std::filesystem;

// A rootfs with just an /etc/passwd and /etc/group, removed with the test.
class SpecTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-spec-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root = tmpl;
        fs::create_directories(root + "/etc");
        write("/etc/passwd",
              "root:x:0:0:root:/root:/bin/sh\n"
              "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
              "app:x:1000:1001:app:/home/app:/bin/sh\n");
        write("/etc/group",
              "root:x:0:\n"
              "daemon:x:1:\n"
              "wheel:x:10:root,app\n"
              "audio:x:29:app\n"
              "appgroup:x:1001:\n"
              "video:x:44:\n");
    }
    void TearDown() override { fs::remove_all(root); }

    void write(const std::string& rel, const std::string& text) {
        std::ofstream(root + rel) << text;
    }

    ContainerSettings settings(Json body) {
        if (!body.contains("Image")) body["Image"] = "busybox";
        if (!body.contains("Cmd") && !body.contains("Entrypoint")) body["Cmd"] = {"sh"};
        auto s = parse_create_request(body);
        EXPECT_TRUE(s) << s.error().message;
        return s ? *s : ContainerSettings{};
    }

    SpecContext context() {
        SpecContext c;
        c.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        c.rootfs = root;
        return c;
    }

    oci::Config spec(Json body) {
        auto c = build_oci_spec(settings(std::move(body)), context());
        EXPECT_TRUE(c) << c.error().message;
        return c ? *c : oci::Config{};
    }

    std::string root;
};

const oci::Mount* find_mount(const oci::Config& c, std::string_view dest) {
    for (auto& m : c.mounts)
        if (m.destination == dest) return &m;
    return nullptr;
}

bool has(const std::vector<std::string>& v, std::string_view s) { return std::ranges::find(v, s) != v.end(); }

TEST_F(SpecTest, DefaultsAreDockers) {
    auto c = spec(Json::object());
    ASSERT_TRUE(c.process && c.linux_);
    EXPECT_EQ(c.root.path, root);
    EXPECT_FALSE(c.root.readonly);
    EXPECT_EQ(c.hostname, "0123456789ab");
    EXPECT_EQ(c.process->args, std::vector<std::string>{"sh"});
    EXPECT_EQ(c.process->cwd, "/");
    EXPECT_EQ(c.process->env, (std::vector<std::string>{
                                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                  "HOSTNAME=0123456789ab"}));
    auto& caps = *c.process->capabilities;
    EXPECT_EQ(caps.bounding, docker_default_capabilities());
    EXPECT_EQ(caps.bounding.size(), 14u);
    EXPECT_EQ(caps.effective, caps.bounding);
    EXPECT_EQ(caps.permitted, caps.bounding);
    EXPECT_TRUE(caps.inheritable.empty());
    EXPECT_TRUE(caps.ambient.empty());
    EXPECT_FALSE(c.process->no_new_privileges);
    EXPECT_EQ(c.process->oom_score_adj, 0);
    auto& l = *c.linux_;
    EXPECT_EQ(l.masked_paths, docker_masked_paths());
    EXPECT_TRUE(has(l.masked_paths, "/proc/kcore"));
    EXPECT_EQ(l.readonly_paths, docker_readonly_paths());
    EXPECT_EQ(l.cgroups_path, "/berth/" + context().id);
    for (auto t : {oci::NamespaceType::mount, oci::NamespaceType::network, oci::NamespaceType::uts,
                   oci::NamespaceType::pid, oci::NamespaceType::ipc})
        EXPECT_TRUE(l.has_namespace(t)) << oci::namespace_type_name(t);
    EXPECT_EQ(l.find_namespace(oci::NamespaceType::network)->path, "");
    ASSERT_TRUE(l.seccomp);
    EXPECT_EQ(l.seccomp->default_action, "SCMP_ACT_ERRNO");
    ASSERT_TRUE(l.resources);
    auto& rules = l.resources->devices;
    ASSERT_GE(rules.size(), 3u);
    EXPECT_FALSE(rules[0].allow);
    EXPECT_EQ(rules[0].access, "rwm");
    EXPECT_TRUE(std::ranges::any_of(rules, [](const oci::DeviceRule& r) {
        return r.allow && r.type == "c" && r.major == 136 && !r.minor && r.access == "rwm";
    }));
    EXPECT_TRUE(std::ranges::any_of(rules, [](const oci::DeviceRule& r) {
        return r.allow && r.type == "b" && !r.major && !r.minor && r.access == "m";
    }));
    EXPECT_FALSE(l.resources->memory);
    EXPECT_FALSE(l.resources->cpu);
    EXPECT_FALSE(l.resources->pids);
}

TEST_F(SpecTest, DefaultMounts) {
    auto c = spec(Json::object());
    for (auto* d : {"/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"})
        EXPECT_TRUE(find_mount(c, d)) << d;
    auto* shm = find_mount(c, "/dev/shm");
    EXPECT_EQ(shm->type, "tmpfs");
    EXPECT_TRUE(has(shm->options, "size=67108864"));
    auto* pts = find_mount(c, "/dev/pts");
    EXPECT_TRUE(has(pts->options, "newinstance") && has(pts->options, "ptmxmode=0666") && has(pts->options, "gid=5"));
    EXPECT_TRUE(has(find_mount(c, "/sys")->options, "ro"));
    EXPECT_TRUE(has(find_mount(c, "/sys/fs/cgroup")->options, "ro"));
    EXPECT_FALSE(find_mount(c, "/etc/hosts"));
}

TEST_F(SpecTest, UserMountsEtcFilesInitAndShmSize) {
    auto s = settings({{"HostConfig", {{"Binds", {"/tmp:/data:ro,rshared", "/tmp:/data/sub"}},
                                       {"Tmpfs", {{"/run", "size=1m"}}},
                                       {"ShmSize", 1 << 20},
                                       {"Init", true},
                                       {"ReadonlyRootfs", true}}}});
    auto ctx = context();
    ctx.hosts_path = "/host/hosts";
    ctx.hostname_path = "/host/hostname";
    ctx.resolv_conf_path = "/host/resolv.conf";
    ctx.init_path = "/usr/libexec/berth-init";
    auto c = build_oci_spec(s, ctx);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(c->root.readonly);
    auto* hosts = find_mount(*c, "/etc/hosts");
    ASSERT_TRUE(hosts);
    EXPECT_EQ(hosts->source, "/host/hosts");
    EXPECT_EQ(hosts->options, (std::vector<std::string>{"rbind", "rprivate", "ro"}));
    auto* data = find_mount(*c, "/data");
    ASSERT_TRUE(data);
    EXPECT_EQ(data->type, "bind");
    EXPECT_EQ(data->options, (std::vector<std::string>{"rbind", "rshared", "ro"}));
    EXPECT_EQ(c->linux_->rootfs_propagation, "rshared");
    // Parents first.
    auto pos = [&](std::string_view d) {
        return std::ranges::find_if(c->mounts, [&](const oci::Mount& m) { return m.destination == d; }) - c->mounts.begin();
    };
    EXPECT_LT(pos("/data"), pos("/data/sub"));
    auto* run = find_mount(*c, "/run");
    ASSERT_TRUE(run);
    EXPECT_EQ(run->type, "tmpfs");
    EXPECT_TRUE(has(run->options, "size=1048576"));
    EXPECT_TRUE(has(run->options, "noexec"));
    EXPECT_TRUE(has(find_mount(*c, "/dev/shm")->options, "size=1048576"));
    auto* init = find_mount(*c, "/sbin/docker-init");
    ASSERT_TRUE(init);
    EXPECT_EQ(init->source, "/usr/libexec/berth-init");
    EXPECT_TRUE(has(init->options, "ro"));
    EXPECT_EQ(c->process->args, (std::vector<std::string>{"/sbin/docker-init", "--", "sh"}));
    // A read-only rootfs makes /sys read-only and leaves /dev/shm writable.
    EXPECT_FALSE(has(find_mount(*c, "/dev/shm")->options, "ro"));
}

TEST_F(SpecTest, UserMountReplacesDefaultAtSameDestination) {
    auto c = spec({{"HostConfig", {{"Tmpfs", {{"/dev/shm", "size=2m"}}}}}});
    int count = 0;
    for (auto& m : c.mounts) count += m.destination == "/dev/shm";
    EXPECT_EQ(count, 1);
    EXPECT_TRUE(has(find_mount(c, "/dev/shm")->options, "size=2097152"));
}

TEST_F(SpecTest, InitWithoutBinaryIsAnError) {
    auto r = build_oci_spec(settings({{"HostConfig", {{"Init", true}}}}), context());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("berth-init"), std::string::npos);
}

TEST_F(SpecTest, ProcessFromConfig) {
    auto c = spec({{"Entrypoint", {"/bin/echo"}}, {"Cmd", {"a", "b"}}, {"Tty", true},
                   {"Env", {"PATH=/bin", "X=1"}}, {"WorkingDir", "/w"}, {"Hostname", "box"},
                   {"Domainname", "example.org"},
                   {"HostConfig", {{"SecurityOpt", {"no-new-privileges"}}, {"OomScoreAdj", 500},
                                   {"Ulimits", {{{"Name", "nofile"}, {"Soft", 100}, {"Hard", 200}}}},
                                   {"Sysctls", {{"net.ipv4.ip_forward", "1"}}}}}});
    auto& p = *c.process;
    EXPECT_EQ(p.args, (std::vector<std::string>{"/bin/echo", "a", "b"}));
    EXPECT_TRUE(p.terminal);
    EXPECT_EQ(p.env, (std::vector<std::string>{"PATH=/bin", "HOSTNAME=box", "TERM=xterm", "X=1"}));
    EXPECT_EQ(p.cwd, "/w");
    EXPECT_EQ(c.hostname, "box");
    EXPECT_EQ(c.domainname, "example.org");
    EXPECT_TRUE(p.no_new_privileges);
    EXPECT_EQ(p.oom_score_adj, 500);
    ASSERT_EQ(p.rlimits.size(), 1u);
    EXPECT_EQ(p.rlimits[0], (oci::Rlimit{"RLIMIT_NOFILE", 100, 200}));
    EXPECT_EQ(c.linux_->sysctl.at("net.ipv4.ip_forward"), "1");
}

TEST_F(SpecTest, NoCommandIsAnError) {
    auto s = settings(Json{{"Image", "x"}, {"Cmd", Json::array()}});
    auto r = build_oci_spec(s, context());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "no command specified");
}

TEST_F(SpecTest, UserResolution) {
    auto user_of = [&](const std::string& u, Json group_add = nullptr) {
        Json h = Json::object();
        if (!group_add.is_null()) h["GroupAdd"] = group_add;
        return build_oci_spec(settings({{"User", u}, {"HostConfig", h}}), context());
    };
    auto root_user = user_of("");
    ASSERT_TRUE(root_user);
    EXPECT_EQ(root_user->process->user.uid, 0u);
    EXPECT_EQ(root_user->process->user.gid, 0u);
    EXPECT_EQ(root_user->process->user.additional_gids, std::vector<uint32_t>{10});

    auto app = user_of("app");
    ASSERT_TRUE(app) << app.error().message;
    EXPECT_EQ(app->process->user.uid, 1000u);
    EXPECT_EQ(app->process->user.gid, 1001u);
    EXPECT_EQ(app->process->user.additional_gids, (std::vector<uint32_t>{10, 29}));

    auto by_uid = user_of("1000");
    ASSERT_TRUE(by_uid);
    EXPECT_EQ(by_uid->process->user.gid, 1001u);

    auto named_group = user_of("app:video", Json{"audio", "4242"});
    ASSERT_TRUE(named_group) << named_group.error().message;
    EXPECT_EQ(named_group->process->user.gid, 44u);
    EXPECT_EQ(named_group->process->user.additional_gids, (std::vector<uint32_t>{29, 4242}));

    auto numeric = user_of("4000:4001");
    ASSERT_TRUE(numeric);
    EXPECT_EQ(numeric->process->user.uid, 4000u);
    EXPECT_EQ(numeric->process->user.gid, 4001u);
    EXPECT_TRUE(numeric->process->user.additional_gids.empty());

    auto unknown = user_of("xyz");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("unable to find user xyz: no matching entries in passwd file"),
              std::string::npos) << unknown.error().message;
    auto unknown_group = user_of("app:nogroup");
    ASSERT_FALSE(unknown_group);
    EXPECT_NE(unknown_group.error().message.find("unable to find group nogroup"), std::string::npos);
}

TEST_F(SpecTest, PasswdSymlinkCannotLeaveTheRootfs) {
    // An absolute symlink resolves inside the rootfs: /etc/passwd -> /etc/other
    // reads <rootfs>/etc/other, not the host's file.
    fs::remove(root + "/etc/passwd");
    write("/etc/other", "inside:x:777:777::/:/bin/sh\n");
    fs::create_symlink("/etc/other", root + "/etc/passwd");
    auto c = build_oci_spec(settings({{"User", "inside"}}), context());
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->process->user.uid, 777u);
    // A relative link climbing out aims at a host file that names "hostonly":
    // inside the root the climb stops at the rootfs, where no such file is.
    std::string host_file = root + "-hostpasswd";
    std::ofstream(host_file) << "hostonly:x:555:555::/:/bin/sh\n";
    fs::remove(root + "/etc/passwd");
    fs::create_symlink("../../../../../../../.." + host_file, root + "/etc/passwd");
    auto escaped = build_oci_spec(settings({{"User", "hostonly"}}), context());
    fs::remove(host_file);
    ASSERT_FALSE(escaped);
    EXPECT_NE(escaped.error().message.find("unable to find user hostonly"), std::string::npos)
        << escaped.error().message;
}

TEST_F(SpecTest, Capabilities) {
    auto c = spec({{"HostConfig", {{"CapAdd", {"NET_ADMIN", "cap_sys_time"}}, {"CapDrop", {"CAP_CHOWN", "mknod"}}}}});
    auto& b = c.process->capabilities->bounding;
    EXPECT_TRUE(has(b, "CAP_NET_ADMIN"));
    EXPECT_TRUE(has(b, "CAP_SYS_TIME"));
    EXPECT_FALSE(has(b, "CAP_CHOWN"));
    EXPECT_FALSE(has(b, "CAP_MKNOD"));
    EXPECT_EQ(b.size(), 14u);

    auto only = spec({{"HostConfig", {{"CapAdd", {"NET_BIND_SERVICE"}}, {"CapDrop", {"ALL"}}}}});
    EXPECT_EQ(only.process->capabilities->bounding, std::vector<std::string>{"CAP_NET_BIND_SERVICE"});

    auto all = spec({{"HostConfig", {{"CapAdd", {"ALL"}}, {"CapDrop", {"SYS_ADMIN"}}}}});
    EXPECT_GT(all.process->capabilities->bounding.size(), 30u);
    EXPECT_FALSE(has(all.process->capabilities->bounding, "CAP_SYS_ADMIN"));
    EXPECT_TRUE(has(all.process->capabilities->bounding, "CAP_SYS_MODULE"));
}

TEST_F(SpecTest, Privileged) {
    auto c = spec({{"HostConfig", {{"Privileged", true}}}});
    EXPECT_TRUE(has(c.process->capabilities->bounding, "CAP_SYS_ADMIN"));
    EXPECT_TRUE(c.linux_->masked_paths.empty());
    EXPECT_TRUE(c.linux_->readonly_paths.empty());
    EXPECT_FALSE(c.linux_->seccomp);
    EXPECT_FALSE(has(find_mount(c, "/sys")->options, "ro"));
    EXPECT_TRUE(std::ranges::any_of(c.linux_->devices, [](const oci::Device& d) { return d.path == "/dev/null"; }));
    EXPECT_TRUE(std::ranges::any_of(c.linux_->resources->devices, [](const oci::DeviceRule& r) {
        return r.allow && r.type == "a" && r.access == "rwm";
    }));
}

TEST_F(SpecTest, SeccompOptions) {
    EXPECT_FALSE(spec({{"HostConfig", {{"SecurityOpt", {"seccomp=unconfined"}}}}}).linux_->seccomp);
    auto custom = spec({{"HostConfig", {{"SecurityOpt",
        {R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]})"}}}}});
    ASSERT_TRUE(custom.linux_->seccomp);
    EXPECT_EQ(custom.linux_->seccomp->default_action, "SCMP_ACT_ALLOW");
    ASSERT_EQ(custom.linux_->seccomp->syscalls.size(), 1u);
    write("/profile.json", R"({"defaultAction":"SCMP_ACT_LOG"})");
    auto from_file = spec({{"HostConfig", {{"SecurityOpt", {"seccomp=" + root + "/profile.json"}}}}});
    EXPECT_EQ(from_file.linux_->seccomp->default_action, "SCMP_ACT_LOG");
}

TEST_F(SpecTest, DefaultSeccompFollowsCapabilities) {
    auto allowed = [](const oci::Config& c, std::string_view name) {
        return std::ranges::any_of(c.linux_->seccomp->syscalls, [&](const oci::SeccompSyscall& s) {
            return s.action == "SCMP_ACT_ALLOW" && s.args.empty() && has(s.names, name);
        });
    };
    auto plain = spec(Json::object());
    EXPECT_FALSE(allowed(plain, "mount"));
    EXPECT_TRUE(allowed(plain, "chroot"));  // CAP_SYS_CHROOT is a default
    auto admin = spec({{"HostConfig", {{"CapAdd", {"SYS_ADMIN"}}}}});
    EXPECT_TRUE(allowed(admin, "mount"));
}

TEST_F(SpecTest, Namespaces) {
    auto host = spec({{"HostConfig", {{"NetworkMode", "host"}, {"PidMode", "host"}, {"IpcMode", "host"},
                                      {"UTSMode", "host"}}}});
    auto& l = *host.linux_;
    EXPECT_FALSE(l.has_namespace(oci::NamespaceType::network));
    EXPECT_FALSE(l.has_namespace(oci::NamespaceType::pid));
    EXPECT_FALSE(l.has_namespace(oci::NamespaceType::ipc));
    EXPECT_FALSE(l.has_namespace(oci::NamespaceType::uts));
    EXPECT_TRUE(host.hostname.empty());
    EXPECT_EQ(find_mount(host, "/dev/shm")->source, "/dev/shm");

    auto s = settings({{"HostConfig", {{"NetworkMode", "container:other"}, {"CgroupnsMode", "private"}}}});
    auto ctx = context();
    ctx.netns_path = "/proc/42/ns/net";
    auto joined = build_oci_spec(s, ctx);
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->linux_->find_namespace(oci::NamespaceType::network)->path, "/proc/42/ns/net");
    EXPECT_TRUE(joined->linux_->has_namespace(oci::NamespaceType::cgroup));
    auto none = spec({{"HostConfig", {{"IpcMode", "none"}}}});
    EXPECT_FALSE(find_mount(none, "/dev/shm"));
}

TEST_F(SpecTest, Resources) {
    auto c = spec({{"HostConfig", {{"Memory", 64 << 20}, {"MemoryReservation", 32 << 20},
                                   {"MemorySwap", 128 << 20}, {"MemorySwappiness", 10},
                                   {"OomKillDisable", true}, {"NanoCpus", 500000000},
                                   {"CpuShares", 512}, {"CpusetCpus", "0"}, {"CpusetMems", "0"},
                                   {"PidsLimit", 99}, {"BlkioWeight", 300},
                                   {"BlkioDeviceReadBps", {{{"Path", "/dev/null"}, {"Rate", 1000}}}},
                                   {"CgroupParent", "custom"}}}});
    auto& r = *c.linux_->resources;
    ASSERT_TRUE(r.memory);
    EXPECT_EQ(r.memory->limit, 64 << 20);
    EXPECT_EQ(r.memory->reservation, 32 << 20);
    EXPECT_EQ(r.memory->swap, 128 << 20);
    EXPECT_EQ(r.memory->swappiness, 10u);
    EXPECT_EQ(r.memory->disable_oom_killer, true);
    ASSERT_TRUE(r.cpu);
    EXPECT_EQ(r.cpu->period, 100000u);
    EXPECT_EQ(r.cpu->quota, 50000);
    EXPECT_EQ(r.cpu->shares, 512u);
    EXPECT_EQ(r.cpu->cpus, "0");
    ASSERT_TRUE(r.pids);
    EXPECT_EQ(r.pids->limit, 99);
    ASSERT_TRUE(r.block_io);
    EXPECT_EQ(r.block_io->weight, 300);
    ASSERT_EQ(r.block_io->throttle_read_bps_device.size(), 1u);
    EXPECT_EQ(r.block_io->throttle_read_bps_device[0].major, 1);
    EXPECT_EQ(r.block_io->throttle_read_bps_device[0].minor, 3);
    EXPECT_EQ(r.block_io->throttle_read_bps_device[0].rate, 1000u);
    EXPECT_EQ(c.linux_->cgroups_path, "/custom/" + context().id);
    auto quota = spec({{"HostConfig", {{"CpuPeriod", 50000}, {"CpuQuota", 25000}}}});
    EXPECT_EQ(quota.linux_->resources->cpu->period, 50000u);
    EXPECT_EQ(quota.linux_->resources->cpu->quota, 25000);
}

TEST_F(SpecTest, DevicesAndRules) {
    auto c = spec({{"HostConfig", {{"Devices", {{{"PathOnHost", "/dev/null"}, {"PathInContainer", "/dev/mynull"},
                                                 {"CgroupPermissions", "rw"}}}},
                                   {"DeviceCgroupRules", {"c 42:* rmw"}}}}});
    ASSERT_EQ(c.linux_->devices.size(), 1u);
    auto& d = c.linux_->devices[0];
    EXPECT_EQ(d.path, "/dev/mynull");
    EXPECT_EQ(d.type, 'c');
    EXPECT_EQ(d.major, 1);
    EXPECT_EQ(d.minor, 3);
    auto& rules = c.linux_->resources->devices;
    EXPECT_TRUE(std::ranges::any_of(rules, [](const oci::DeviceRule& r) {
        return r.allow && r.type == "c" && r.major == 1 && r.minor == 3 && r.access == "rw";
    }));
    EXPECT_TRUE(std::ranges::any_of(rules, [](const oci::DeviceRule& r) {
        return r.allow && r.type == "c" && r.major == 42 && !r.minor && r.access == "rmw";
    }));
    auto missing = build_oci_spec(settings({{"HostConfig", {{"Devices", {{{"PathOnHost", "/dev/nonexistent-berth"}}}}}}}),
                                  context());
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("error gathering device information"), std::string::npos);
}

}  // namespace
}  // namespace berth::engine

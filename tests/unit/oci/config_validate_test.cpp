#include <gtest/gtest.h>

#include "oci/config_parse.hpp"

namespace berth::oci {
namespace {

// A valid config with a process and the usual namespaces, for each test to break.
Config valid() {
    Config c;
    c.oci_version = "1.3.0";
    c.root.path = "rootfs";
    Process p;
    p.args = {"sh"};
    c.process = p;
    Linux l;
    for (auto t : {NamespaceType::pid, NamespaceType::mount, NamespaceType::uts})
        l.namespaces.push_back({t, ""});
    c.linux_ = l;
    return c;
}

// validate_config's error for `c`, or "<valid>".
std::string error_of(const Config& c, bool need_process = true) {
    auto r = validate_config(c, need_process);
    return r ? "<valid>" : r.error().message;
}

Linux& lx(Config& c) {
    return *c.linux_;
}

Hook hook(std::string path, std::optional<int> timeout = std::nullopt) {
    Hook h;
    h.path = std::move(path);
    h.timeout = timeout;
    return h;
}

Device device(char type, std::string path) {
    Device d;
    d.type = type;
    d.path = std::move(path);
    return d;
}

TEST(ConfigValidate, ValidConfigPasses) {
    EXPECT_EQ(error_of(valid()), "<valid>");
}

TEST(ConfigValidate, OciVersionRequired) {
    Config c = valid();
    c.oci_version.clear();
    EXPECT_EQ(error_of(c), "ociVersion: required");
}

TEST(ConfigValidate, RootPathRequired) {
    Config c = valid();
    c.root.path.clear();
    EXPECT_EQ(error_of(c), "root.path: required");
}

TEST(ConfigValidate, MountDestinationMustBeAbsolute) {
    Config c = valid();
    c.mounts.resize(2);
    c.mounts[0].destination = "/proc";
    c.mounts[1].destination = "tmp";
    EXPECT_EQ(error_of(c), "mounts[1].destination: must be an absolute path, got \"tmp\"");
    c.mounts[1].destination = "";
    EXPECT_EQ(error_of(c), "mounts[1].destination: required");
}

TEST(ConfigValidate, MountMappingsComeInPairs) {
    Config c = valid();
    c.mounts.resize(1);
    c.mounts[0].destination = "/data";
    c.mounts[0].options = {"bind", "idmap"};
    c.mounts[0].uid_mappings = {{0, 1000, 1}};
    EXPECT_EQ(error_of(c), "mounts[0].gidMappings: required with uidMappings");
    c.mounts[0].gid_mappings = {{0, 1000, 1}};
    EXPECT_EQ(error_of(c), "<valid>");
    c.mounts[0].uid_mappings.clear();
    EXPECT_EQ(error_of(c), "mounts[0].uidMappings: required with gidMappings");
}

TEST(ConfigValidate, IdmapMountNeedsMappingsOrUserNamespace) {
    Config c = valid();
    c.mounts.resize(1);
    c.mounts[0].destination = "/data";
    c.mounts[0].options = {"rbind", "ridmap"};
    EXPECT_EQ(error_of(c),
              "mounts[0].options: idmap needs uidMappings and gidMappings or a user namespace");
    lx(c).namespaces.push_back({NamespaceType::user, "/proc/1/ns/user"});
    EXPECT_EQ(error_of(c), "<valid>");
}

TEST(ConfigValidate, HookPathMustBeAbsolute) {
    Config c = valid();
    c.hooks.create_runtime = {hook("/bin/a"), hook("bin/b")};
    EXPECT_EQ(error_of(c), "hooks.createRuntime[1].path: must be an absolute path, got \"bin/b\"");
}

TEST(ConfigValidate, HookTimeoutMustBePositive) {
    Config c = valid();
    c.hooks.poststop = {hook("/bin/a", 0)};
    EXPECT_EQ(error_of(c), "hooks.poststop[0].timeout: must be greater than zero, got 0");
    c.hooks.poststop[0].timeout = -3;
    EXPECT_EQ(error_of(c), "hooks.poststop[0].timeout: must be greater than zero, got -3");
    c.hooks.poststop[0].timeout = 1;
    EXPECT_EQ(error_of(c), "<valid>");
}

TEST(ConfigValidate, DuplicateNamespace) {
    Config c = valid();
    lx(c).namespaces.push_back({NamespaceType::pid, ""});
    EXPECT_EQ(error_of(c), "linux.namespaces[3].type: duplicate namespace \"pid\"");
}

TEST(ConfigValidate, NamespacePathMustBeAbsolute) {
    Config c = valid();
    lx(c).namespaces.push_back({NamespaceType::network, "proc/1/ns/net"});
    EXPECT_EQ(error_of(c),
              "linux.namespaces[3].path: must be an absolute path, got \"proc/1/ns/net\"");
}

TEST(ConfigValidate, NewUserNamespaceNeedsMappings) {
    Config c = valid();
    lx(c).namespaces.push_back({NamespaceType::user, ""});
    EXPECT_EQ(error_of(c), "linux.uidMappings: required when a new user namespace is created");
    lx(c).uid_mappings = {{0, 1000, 1}};
    EXPECT_EQ(error_of(c), "linux.gidMappings: required when a new user namespace is created");
    lx(c).gid_mappings = {{0, 1000, 1}};
    EXPECT_EQ(error_of(c), "<valid>");
}

TEST(ConfigValidate, MappingsWithoutUserNamespace) {
    Config c = valid();
    lx(c).uid_mappings = {{0, 1000, 1}};
    EXPECT_EQ(error_of(c), "linux.uidMappings: given without a user namespace");
    lx(c).uid_mappings.clear();
    lx(c).gid_mappings = {{0, 1000, 1}};
    EXPECT_EQ(error_of(c), "linux.gidMappings: given without a user namespace");
}

TEST(ConfigValidate, JoinedUserNamespaceNeedsNoMappings) {
    Config c = valid();
    lx(c).namespaces.push_back({NamespaceType::user, "/proc/1/ns/user"});
    EXPECT_EQ(error_of(c), "<valid>");
}

TEST(ConfigValidate, MappingSizeZero) {
    Config c = valid();
    lx(c).namespaces.push_back({NamespaceType::user, ""});
    lx(c).uid_mappings = {{0, 1000, 1}};
    lx(c).gid_mappings = {{0, 1000, 1}, {1, 2000, 0}};
    EXPECT_EQ(error_of(c), "linux.gidMappings[1].size: must be greater than zero");
}

TEST(ConfigValidate, ProcessRequiredOnlyWhenAsked) {
    Config c = valid();
    c.process.reset();
    EXPECT_EQ(error_of(c, true), "process: required");
    EXPECT_EQ(error_of(c, false), "<valid>");
}

TEST(ConfigValidate, ProcessArgsNonEmpty) {
    Config c = valid();
    c.process->args.clear();
    EXPECT_EQ(error_of(c), "process.args: must not be empty");
    // A process that is present is checked even when not needed.
    EXPECT_EQ(error_of(c, false), "process.args: must not be empty");
}

TEST(ConfigValidate, ProcessCwdAbsolute) {
    Config c = valid();
    c.process->cwd = "work";
    EXPECT_EQ(error_of(c), "process.cwd: must be an absolute path, got \"work\"");
    c.process->cwd = "";
    EXPECT_EQ(error_of(c), "process.cwd: required");
}

TEST(ConfigValidate, ConsoleSize) {
    Config c = valid();
    c.process->terminal = true;
    c.process->console_size = ConsoleSize{0, 80};
    EXPECT_EQ(error_of(c),
              "process.consoleSize: height and width must be non-zero with a terminal");
    c.process->terminal = false;  // ignored without a terminal (config.md)
    EXPECT_EQ(error_of(c), "<valid>");
    c.process->console_size = ConsoleSize{70000, 80};
    EXPECT_EQ(error_of(c),
              "process.consoleSize: height and width must be at most 65535, got 70000x80");
}

TEST(ConfigValidate, UnknownCapability) {
    Config c = valid();
    Capabilities caps;
    caps.bounding = {"CAP_KILL"};
    caps.ambient = {"CAP_KILL", "CAP_FLY"};
    c.process->capabilities = caps;
    EXPECT_EQ(error_of(c), "process.capabilities.ambient[1]: unknown capability \"CAP_FLY\"");
}

TEST(ConfigValidate, UnknownRlimit) {
    Config c = valid();
    c.process->rlimits = {{"RLIMIT_NOFILE", 1, 1}, {"RLIMIT_COFFEE", 1, 1}};
    EXPECT_EQ(error_of(c), "process.rlimits[1].type: unknown rlimit \"RLIMIT_COFFEE\"");
}

TEST(ConfigValidate, DuplicateRlimit) {
    Config c = valid();
    c.process->rlimits = {{"RLIMIT_NOFILE", 1, 1}, {"RLIMIT_CORE", 0, 0}, {"RLIMIT_NOFILE", 2, 2}};
    EXPECT_EQ(error_of(c), "process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\"");
}

TEST(ConfigValidate, RlimitSoftAboveHard) {
    Config c = valid();
    c.process->rlimits = {{"RLIMIT_NOFILE", 2048, 1024}};
    EXPECT_EQ(error_of(c), "process.rlimits[0]: soft limit 2048 exceeds hard limit 1024");
}

TEST(ConfigValidate, OomScoreAdjRange) {
    Config c = valid();
    c.process->oom_score_adj = 1001;
    EXPECT_EQ(error_of(c), "process.oomScoreAdj: must be in [-1000, 1000], got 1001");
    c.process->oom_score_adj = -1001;
    EXPECT_EQ(error_of(c), "process.oomScoreAdj: must be in [-1000, 1000], got -1001");
    c.process->oom_score_adj = -1000;
    EXPECT_EQ(error_of(c), "<valid>");
}

TEST(ConfigValidate, IoPriorityAndScheduler) {
    Config c = valid();
    c.process->io_priority = IoPriority{"IOPRIO_CLASS_FAST", 0};
    EXPECT_EQ(error_of(c), "process.ioPriority.class: unknown class \"IOPRIO_CLASS_FAST\"");
    c.process->io_priority = IoPriority{"IOPRIO_CLASS_RT", 8};
    EXPECT_EQ(error_of(c), "process.ioPriority.priority: must be in [0, 7], got 8");
    c.process->io_priority.reset();
    c.process->scheduler.emplace();
    c.process->scheduler->policy = "SCHED_FAST";
    EXPECT_EQ(error_of(c), "process.scheduler.policy: unknown policy \"SCHED_FAST\"");
}

TEST(ConfigValidate, SeccompErrorsAreUnderLinuxSeccomp) {
    Config c = valid();
    Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    SeccompSyscall sc;
    sc.names = {"read"};
    sc.action = "SCMP_ACT_EXPLODE";
    s.syscalls = {sc};
    lx(c).seccomp = s;
    std::string m = error_of(c);
    EXPECT_EQ(m.rfind("linux.seccomp.syscalls[0]", 0), 0u) << m;
    EXPECT_NE(m.find("SCMP_ACT_EXPLODE"), std::string::npos) << m;
}

TEST(ConfigValidate, SeccompDefaultActionChecked) {
    Config c = valid();
    lx(c).seccomp.emplace();
    lx(c).seccomp->default_action = "SCMP_ACT_NOPE";
    std::string m = error_of(c);
    EXPECT_EQ(m.rfind("linux.seccomp.defaultAction", 0), 0u) << m;
}

TEST(ConfigValidate, DeviceType) {
    Config c = valid();
    lx(c).devices = {device('x', "/dev/x")};
    EXPECT_EQ(error_of(c), "linux.devices[0].type: must be one of c, b, u, p, got \"x\"");
    lx(c).devices[0].type = 0;
    EXPECT_EQ(error_of(c), "linux.devices[0].type: required");
    for (char t : {'c', 'b', 'u', 'p'}) {
        lx(c).devices[0].type = t;
        EXPECT_EQ(error_of(c), "<valid>") << t;
    }
}

TEST(ConfigValidate, DevicePathAbsolute) {
    Config c = valid();
    lx(c).devices = {device('c', "/dev/a"), device('b', "dev/sda")};
    EXPECT_EQ(error_of(c), "linux.devices[1].path: must be an absolute path, got \"dev/sda\"");
}

TEST(ConfigValidate, FifoDeviceWithoutNumbersParses) {
    Json j = {{"ociVersion", "1.3.0"},
              {"root", {{"path", "rootfs"}}},
              {"linux", {{"devices", {{{"type", "p"}, {"path", "/dev/fifo"}}}}}}};
    auto c = parse_config(j);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->linux_->devices[0].major, 0);
}

TEST(ConfigValidate, SysctlKeyNonEmpty) {
    Config c = valid();
    lx(c).sysctl = {{"", "1"}};
    EXPECT_EQ(error_of(c), "linux.sysctl: keys must not be empty");
}

TEST(ConfigValidate, HostnameNeedsNewUtsNamespace) {
    Config c = valid();
    c.hostname = "box";
    EXPECT_EQ(error_of(c), "<valid>");
    std::erase_if(lx(c).namespaces, [](auto& n) { return n.type == NamespaceType::uts; });
    EXPECT_EQ(error_of(c), "hostname: requires a new UTS namespace");
    lx(c).namespaces.push_back({NamespaceType::uts, "/proc/1/ns/uts"});
    EXPECT_EQ(error_of(c), "hostname: requires a new UTS namespace");
    c.linux_.reset();
    EXPECT_EQ(error_of(c), "hostname: requires a new UTS namespace");
}

TEST(ConfigValidate, DomainnameNeedsNewUtsNamespace) {
    Config c = valid();
    c.domainname = "example.org";
    std::erase_if(lx(c).namespaces, [](auto& n) { return n.type == NamespaceType::uts; });
    EXPECT_EQ(error_of(c), "domainname: requires a new UTS namespace");
}

TEST(ConfigValidate, TimeOffsetsNeedNewTimeNamespace) {
    Config c = valid();
    lx(c).time_offsets_secs = {{"monotonic", 5}};
    EXPECT_EQ(error_of(c), "linux.timeOffsets: requires a new time namespace");
    lx(c).namespaces.push_back({NamespaceType::time, "/proc/1/ns/time"});
    EXPECT_EQ(error_of(c), "linux.timeOffsets: requires a new time namespace");
    lx(c).namespaces.back().path.clear();
    EXPECT_EQ(error_of(c), "<valid>");
    lx(c).time_offsets_nsecs = {{"realtime", 5}};
    EXPECT_EQ(error_of(c),
              "linux.timeOffsets.realtime: unknown clock (expected boottime or monotonic)");
}

TEST(ConfigValidate, CgroupsPathDotDot) {
    Config c = valid();
    lx(c).cgroups_path = "/berth/../../escape";
    EXPECT_EQ(error_of(c),
              "linux.cgroupsPath: must not contain \"..\", got \"/berth/../../escape\"");
    lx(c).cgroups_path = "system.slice:berth:..";
    EXPECT_EQ(error_of(c),
              "linux.cgroupsPath: must not contain \"..\", got \"system.slice:berth:..\"");
    lx(c).cgroups_path = "/berth/a..b";  // not a parent reference
    EXPECT_EQ(error_of(c), "<valid>");
}

TEST(ConfigValidate, MaskedAndReadonlyPathsAbsolute) {
    Config c = valid();
    lx(c).masked_paths = {"/proc/kcore", "proc/keys"};
    EXPECT_EQ(error_of(c), "linux.maskedPaths[1]: must be an absolute path, got \"proc/keys\"");
    lx(c).masked_paths.clear();
    lx(c).readonly_paths = {"sys"};
    EXPECT_EQ(error_of(c), "linux.readonlyPaths[0]: must be an absolute path, got \"sys\"");
}

TEST(ConfigValidate, RootfsPropagation) {
    Config c = valid();
    for (const char* ok : {"", "shared", "slave", "private", "unbindable", "rshared", "rslave",
                           "rprivate", "runbindable"}) {
        lx(c).rootfs_propagation = ok;
        EXPECT_EQ(error_of(c), "<valid>") << ok;
    }
    lx(c).rootfs_propagation = "rshare";
    EXPECT_EQ(error_of(c),
              "linux.rootfsPropagation: unknown propagation \"rshare\" (expected "
              "shared, slave, private, unbindable or their r- forms)");
}

TEST(ConfigValidate, AnnotationKeysNonEmpty) {
    Config c = valid();
    c.annotations = {{"", "x"}};
    EXPECT_EQ(error_of(c), "annotations: keys must not be empty");
}

TEST(ConfigValidate, PersonalityDomain) {
    Config c = valid();
    lx(c).personality = Personality{"LINUX64", {}};
    EXPECT_EQ(error_of(c),
              "linux.personality.domain: unknown domain \"LINUX64\" (expected LINUX or LINUX32)");
}

TEST(ConfigValidate, MemoryPolicy) {
    Config c = valid();
    lx(c).memory_policy.emplace();
    EXPECT_EQ(error_of(c), "linux.memoryPolicy.mode: required");
    lx(c).memory_policy->mode = "MPOL_RANDOM";
    EXPECT_EQ(error_of(c), "linux.memoryPolicy.mode: unknown mode \"MPOL_RANDOM\"");
    lx(c).memory_policy->mode = "MPOL_BIND";
    lx(c).memory_policy->flags = {"MPOL_F_STATIC_NODES", "MPOL_F_X"};
    EXPECT_EQ(error_of(c), "linux.memoryPolicy.flags[1]: unknown flag \"MPOL_F_X\"");
}

TEST(ConfigValidate, ParseConfigRunsValidation) {
    Json j = {{"ociVersion", "1.3.0"}, {"root", {{"path", ""}}}};
    auto c = parse_config(j);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "root.path: required");
    j["root"]["path"] = "rootfs";
    j.erase("ociVersion");
    c = parse_config(j);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "ociVersion: required");
}

}  // namespace
}  // namespace berth::oci

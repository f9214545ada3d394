#include "oci/config_parse.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.hpp"

namespace berth::oci {
namespace {

// A config using every field the parser knows, with values chosen to be unlike
// the defaults so a field that is silently not read shows up.
constexpr const char* kFullConfig = R"({
  "ociVersion": "1.3.0",
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "box",
  "domainname": "example.org",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 40, "width": 120},
    "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6], "username": "me"},
    "args": ["sh", "-c", "true"],
    "commandLine": "sh -c true",
    "env": ["PATH=/bin", "TERM=xterm"],
    "cwd": "/work",
    "capabilities": {
      "bounding": ["CAP_KILL", "CAP_CHOWN"],
      "effective": ["CAP_KILL"],
      "inheritable": ["CAP_CHOWN"],
      "permitted": ["CAP_KILL", "CAP_CHOWN"],
      "ambient": ["CAP_NET_RAW"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096},
                {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}],
    "noNewPrivileges": true,
    "apparmorProfile": "berth-default",
    "oomScoreAdj": -500,
    "selinuxLabel": "system_u:system_r:container_t:s0",
    "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
    "scheduler": {"policy": "SCHED_DEADLINE", "nice": -3, "priority": 2,
                  "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 100, "deadline": 200,
                  "period": 300},
    "execCPUAffinity": {"initial": "0-1", "final": "2,3"}
  },
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"],
     "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
     "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 1000}]}
  ],
  "hooks": {
    "prestart": [{"path": "/usr/bin/pre", "args": ["pre", "x"], "env": ["A=1"], "timeout": 5}],
    "createRuntime": [{"path": "/bin/cr"}],
    "createContainer": [{"path": "/bin/cc", "timeout": 1}],
    "startContainer": [{"path": "/bin/sc"}],
    "poststart": [{"path": "/bin/ps"}],
    "poststop": [{"path": "/bin/pst", "timeout": 30}]
  },
  "annotations": {"org.example.key": "value", "empty": ""},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/proc/1/ns/net"},
                   {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "user"},
                   {"type": "cgroup"}, {"type": "time"}],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65537}],
    "timeOffsets": {"boottime": {"secs": -10, "nanosecs": 500}, "monotonic": {"secs": 7}},
    "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438,
                 "uid": 0, "gid": 0},
                {"type": "p", "path": "/dev/myfifo"}],
    "netDevices": {"eth1": {"name": "ceth1"}, "eth2": {}},
    "cgroupsPath": "/berth/box",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": 1073741824,
                 "kernel": -1, "kernelTCP": 1000, "swappiness": 60, "disableOOMKiller": true,
                 "useHierarchy": false, "checkBeforeUpdate": true},
      "cpu": {"shares": 1024, "quota": 50000, "burst": 1000, "period": 100000,
              "realtimeRuntime": 950000, "realtimePeriod": 1000000, "cpus": "0-1",
              "mems": "0", "idle": 1},
      "pids": {"limit": 64},
      "blockIO": {"weight": 500, "leafWeight": 300,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 600, "leafWeight": 200}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                  "throttleWriteBpsDevice": [{"major": 8, "minor": 16, "rate": 2097152}],
                  "throttleReadIOPSDevice": [{"major": 8, "minor": 32, "rate": 100}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 48, "rate": 200}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
      "unified": {"memory.high": "400M"},
      "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "rxe3": {"hcaObjects": 7}}
    },
    "rootfsPropagation": "rslave",
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 38,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/agent.sock",
      "listenerMetadata": "meta",
      "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                  {"index": 1, "value": 255, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
      ]
    },
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "mountLabel": "system_u:object_r:container_file_t:s0",
    "personality": {"domain": "LINUX32", "flags": []},
    "intelRdt": {"closID": "guaranteed", "schemata": ["L3:0=7f0"], "l3CacheSchema": "L3:0=ff",
                 "memBwSchema": "MB:0=20", "enableMonitoring": true},
    "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "2-3", "flags": ["MPOL_F_STATIC_NODES"]}
  },
  "windows": {"layerFolders": ["C:\\x"]},
  "vm": {"hypervisor": {"path": "/usr/bin/qemu"}},
  "someFutureField": {"anything": [1, 2, 3]}
})";

Config parse_full() {
    auto c = parse_config_text(kFullConfig);
    EXPECT_TRUE(c.has_value()) << c.error().message;
    return c.value_or(Config{});
}

// The error message of parsing `j`, or "<parsed>" when it parses.
std::string parse_error(const Json& j) {
    auto r = parse_config(j);
    return r ? "<parsed>" : r.error().message;
}

Json minimal() {
    return {{"ociVersion", "1.3.0"}, {"root", {{"path", "rootfs"}}}};
}

TEST(ConfigParse, FullConfigTopLevelAndMountsAndHooks) {
    Config c = parse_full();
    EXPECT_EQ(c.oci_version, "1.3.0");
    EXPECT_EQ(c.root.path, "rootfs");
    EXPECT_TRUE(c.root.readonly);
    EXPECT_EQ(c.hostname, "box");
    EXPECT_EQ(c.domainname, "example.org");
    ASSERT_EQ(c.mounts.size(), 2u);
    EXPECT_EQ(c.mounts[0].destination, "/proc");
    EXPECT_EQ(c.mounts[0].type, "proc");
    EXPECT_EQ(c.mounts[0].source, "proc");
    EXPECT_TRUE(c.mounts[0].options.empty());
    EXPECT_EQ(c.mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));
    ASSERT_EQ(c.mounts[1].uid_mappings.size(), 1u);
    EXPECT_EQ(c.mounts[1].uid_mappings[0].host_id, 100000u);
    EXPECT_EQ(c.mounts[1].uid_mappings[0].size, 65536u);
    ASSERT_EQ(c.mounts[1].gid_mappings.size(), 1u);
    EXPECT_EQ(c.mounts[1].gid_mappings[0].host_id, 200000u);
    EXPECT_EQ(c.mounts[1].gid_mappings[0].size, 1000u);

    ASSERT_EQ(c.hooks.prestart.size(), 1u);
    EXPECT_EQ(c.hooks.prestart[0].path, "/usr/bin/pre");
    EXPECT_EQ(c.hooks.prestart[0].args, (std::vector<std::string>{"pre", "x"}));
    EXPECT_EQ(c.hooks.prestart[0].env, (std::vector<std::string>{"A=1"}));
    EXPECT_EQ(c.hooks.prestart[0].timeout, 5);
    ASSERT_EQ(c.hooks.create_runtime.size(), 1u);
    EXPECT_EQ(c.hooks.create_runtime[0].path, "/bin/cr");
    EXPECT_FALSE(c.hooks.create_runtime[0].timeout);
    ASSERT_EQ(c.hooks.create_container.size(), 1u);
    EXPECT_EQ(c.hooks.create_container[0].timeout, 1);
    ASSERT_EQ(c.hooks.start_container.size(), 1u);
    EXPECT_EQ(c.hooks.start_container[0].path, "/bin/sc");
    ASSERT_EQ(c.hooks.poststart.size(), 1u);
    EXPECT_EQ(c.hooks.poststart[0].path, "/bin/ps");
    ASSERT_EQ(c.hooks.poststop.size(), 1u);
    EXPECT_EQ(c.hooks.poststop[0].timeout, 30);

    EXPECT_EQ(c.annotations,
              (std::map<std::string, std::string>{{"org.example.key", "value"}, {"empty", ""}}));
}

TEST(ConfigParse, FullConfigProcess) {
    Config c = parse_full();
    ASSERT_TRUE(c.process);
    const Process& p = *c.process;
    EXPECT_TRUE(p.terminal);
    ASSERT_TRUE(p.console_size);
    EXPECT_EQ(p.console_size->height, 40u);
    EXPECT_EQ(p.console_size->width, 120u);
    EXPECT_EQ(p.user.uid, 1000u);
    EXPECT_EQ(p.user.gid, 1001u);
    EXPECT_EQ(p.user.umask, 18u);
    EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
    EXPECT_EQ(p.user.username, "me");
    EXPECT_EQ(p.args, (std::vector<std::string>{"sh", "-c", "true"}));
    EXPECT_EQ(p.command_line, "sh -c true");
    EXPECT_EQ(p.env, (std::vector<std::string>{"PATH=/bin", "TERM=xterm"}));
    EXPECT_EQ(p.cwd, "/work");
    ASSERT_TRUE(p.capabilities);
    EXPECT_EQ(p.capabilities->bounding, (std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"}));
    EXPECT_EQ(p.capabilities->effective, (std::vector<std::string>{"CAP_KILL"}));
    EXPECT_EQ(p.capabilities->inheritable, (std::vector<std::string>{"CAP_CHOWN"}));
    EXPECT_EQ(p.capabilities->permitted, (std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"}));
    EXPECT_EQ(p.capabilities->ambient, (std::vector<std::string>{"CAP_NET_RAW"}));
    ASSERT_EQ(p.rlimits.size(), 2u);
    EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
    EXPECT_EQ(p.rlimits[0].soft, 1024u);
    EXPECT_EQ(p.rlimits[0].hard, 4096u);
    EXPECT_EQ(p.rlimits[1].hard, UINT64_MAX);  // RLIM_INFINITY as Go writes it
    EXPECT_TRUE(p.no_new_privileges);
    EXPECT_EQ(p.apparmor_profile, "berth-default");
    EXPECT_EQ(p.oom_score_adj, -500);
    EXPECT_EQ(p.selinux_label, "system_u:system_r:container_t:s0");
    ASSERT_TRUE(p.io_priority);
    EXPECT_EQ(p.io_priority->klass, "IOPRIO_CLASS_BE");
    EXPECT_EQ(p.io_priority->priority, 4);
    ASSERT_TRUE(p.scheduler);
    EXPECT_EQ(p.scheduler->policy, "SCHED_DEADLINE");
    EXPECT_EQ(p.scheduler->nice, -3);
    EXPECT_EQ(p.scheduler->priority, 2);
    EXPECT_EQ(p.scheduler->flags, (std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK"}));
    EXPECT_EQ(p.scheduler->runtime, 100u);
    EXPECT_EQ(p.scheduler->deadline, 200u);
    EXPECT_EQ(p.scheduler->period, 300u);
    ASSERT_TRUE(p.exec_cpu_affinity);
    EXPECT_EQ(p.exec_cpu_affinity->initial_cpus, "0-1");
    EXPECT_EQ(p.exec_cpu_affinity->final_cpus, "2,3");
}

TEST(ConfigParse, FullConfigLinux) {
    Config c = parse_full();
    ASSERT_TRUE(c.linux_);
    const Linux& l = *c.linux_;
    ASSERT_EQ(l.namespaces.size(), 8u);
    EXPECT_EQ(l.namespaces[0].type, NamespaceType::pid);
    EXPECT_EQ(l.namespaces[1].type, NamespaceType::network);
    EXPECT_EQ(l.namespaces[1].path, "/proc/1/ns/net");
    EXPECT_EQ(l.namespaces[7].type, NamespaceType::time);
    EXPECT_TRUE(l.has_namespace(NamespaceType::user));
    ASSERT_EQ(l.uid_mappings.size(), 1u);
    EXPECT_EQ(l.uid_mappings[0].container_id, 0u);
    EXPECT_EQ(l.uid_mappings[0].host_id, 100000u);
    EXPECT_EQ(l.uid_mappings[0].size, 65536u);
    ASSERT_EQ(l.gid_mappings.size(), 1u);
    EXPECT_EQ(l.gid_mappings[0].size, 65537u);
    EXPECT_EQ(l.time_offsets_secs,
              (std::map<std::string, int64_t>{{"boottime", -10}, {"monotonic", 7}}));
    EXPECT_EQ(l.time_offsets_nsecs, (std::map<std::string, uint32_t>{{"boottime", 500}}));
    ASSERT_EQ(l.devices.size(), 2u);
    EXPECT_EQ(l.devices[0].type, 'c');
    EXPECT_EQ(l.devices[0].path, "/dev/fuse");
    EXPECT_EQ(l.devices[0].major, 10);
    EXPECT_EQ(l.devices[0].minor, 229);
    EXPECT_EQ(l.devices[0].file_mode, 438u);
    EXPECT_EQ(l.devices[0].uid, 0u);
    EXPECT_EQ(l.devices[0].gid, 0u);
    EXPECT_EQ(l.devices[1].type, 'p');
    EXPECT_FALSE(l.devices[1].file_mode);
    ASSERT_EQ(l.net_devices.size(), 2u);
    EXPECT_EQ(l.net_devices.at("eth1").name, "ceth1");
    EXPECT_EQ(l.net_devices.at("eth2").name, "");
    EXPECT_EQ(l.cgroups_path, "/berth/box");
    EXPECT_EQ(l.rootfs_propagation, "rslave");
    EXPECT_EQ(l.sysctl, (std::map<std::string, std::string>{{"net.ipv4.ip_forward", "1"}}));
    EXPECT_EQ(l.masked_paths, (std::vector<std::string>{"/proc/kcore"}));
    EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/sys"}));
    EXPECT_EQ(l.mount_label, "system_u:object_r:container_file_t:s0");
    ASSERT_TRUE(l.personality);
    EXPECT_EQ(l.personality->domain, "LINUX32");
    ASSERT_TRUE(l.intel_rdt);
    EXPECT_EQ(l.intel_rdt->clos_id, "guaranteed");
    EXPECT_EQ(l.intel_rdt->schemata, (std::vector<std::string>{"L3:0=7f0"}));
    EXPECT_EQ(l.intel_rdt->l3_cache_schema, "L3:0=ff");
    EXPECT_EQ(l.intel_rdt->mem_bw_schema, "MB:0=20");
    EXPECT_TRUE(l.intel_rdt->enable_monitoring);
    ASSERT_TRUE(l.memory_policy);
    EXPECT_EQ(l.memory_policy->mode, "MPOL_INTERLEAVE");
    EXPECT_EQ(l.memory_policy->nodes, "2-3");
    EXPECT_EQ(l.memory_policy->flags, (std::vector<std::string>{"MPOL_F_STATIC_NODES"}));
}

TEST(ConfigParse, FullConfigResources) {
    Config c = parse_full();
    ASSERT_TRUE(c.linux_ && c.linux_->resources);
    const Resources& r = *c.linux_->resources;
    ASSERT_EQ(r.devices.size(), 2u);
    EXPECT_FALSE(r.devices[0].allow);
    EXPECT_EQ(r.devices[0].access, "rwm");
    EXPECT_EQ(r.devices[0].type, "");
    EXPECT_FALSE(r.devices[0].major);
    EXPECT_TRUE(r.devices[1].allow);
    EXPECT_EQ(r.devices[1].type, "c");
    EXPECT_EQ(r.devices[1].major, 10);
    EXPECT_EQ(r.devices[1].minor, 229);
    ASSERT_TRUE(r.memory);
    EXPECT_EQ(r.memory->limit, 536870912);
    EXPECT_EQ(r.memory->reservation, 268435456);
    EXPECT_EQ(r.memory->swap, 1073741824);
    EXPECT_EQ(r.memory->kernel, -1);
    EXPECT_EQ(r.memory->kernel_tcp, 1000);
    EXPECT_EQ(r.memory->swappiness, 60u);
    EXPECT_EQ(r.memory->disable_oom_killer, true);
    EXPECT_EQ(r.memory->use_hierarchy, false);
    EXPECT_EQ(r.memory->check_before_update, true);
    ASSERT_TRUE(r.cpu);
    EXPECT_EQ(r.cpu->shares, 1024u);
    EXPECT_EQ(r.cpu->quota, 50000);
    EXPECT_EQ(r.cpu->burst, 1000u);
    EXPECT_EQ(r.cpu->period, 100000u);
    EXPECT_EQ(r.cpu->realtime_runtime, 950000);
    EXPECT_EQ(r.cpu->realtime_period, 1000000u);
    EXPECT_EQ(r.cpu->cpus, "0-1");
    EXPECT_EQ(r.cpu->mems, "0");
    EXPECT_EQ(r.cpu->idle, 1);
    ASSERT_TRUE(r.pids);
    EXPECT_EQ(r.pids->limit, 64);
    ASSERT_TRUE(r.block_io);
    EXPECT_EQ(r.block_io->weight, 500);
    EXPECT_EQ(r.block_io->leaf_weight, 300);
    ASSERT_EQ(r.block_io->weight_device.size(), 1u);
    EXPECT_EQ(r.block_io->weight_device[0].major, 8);
    EXPECT_EQ(r.block_io->weight_device[0].weight, 600);
    EXPECT_EQ(r.block_io->weight_device[0].leaf_weight, 200);
    ASSERT_EQ(r.block_io->throttle_read_bps_device.size(), 1u);
    EXPECT_EQ(r.block_io->throttle_read_bps_device[0].rate, 1048576u);
    ASSERT_EQ(r.block_io->throttle_write_bps_device.size(), 1u);
    EXPECT_EQ(r.block_io->throttle_write_bps_device[0].minor, 16);
    ASSERT_EQ(r.block_io->throttle_read_iops_device.size(), 1u);
    EXPECT_EQ(r.block_io->throttle_read_iops_device[0].rate, 100u);
    ASSERT_EQ(r.block_io->throttle_write_iops_device.size(), 1u);
    EXPECT_EQ(r.block_io->throttle_write_iops_device[0].minor, 48);
    ASSERT_EQ(r.hugepage_limits.size(), 1u);
    EXPECT_EQ(r.hugepage_limits[0].page_size, "2MB");
    EXPECT_EQ(r.hugepage_limits[0].limit, 209715200u);
    ASSERT_TRUE(r.network);
    EXPECT_EQ(r.network->class_id, 1048577u);
    ASSERT_EQ(r.network->priorities.size(), 1u);
    EXPECT_EQ(r.network->priorities[0].name, "eth0");
    EXPECT_EQ(r.network->priorities[0].priority, 500u);
    EXPECT_EQ(r.unified, (std::map<std::string, std::string>{{"memory.high", "400M"}}));
    ASSERT_EQ(r.rdma.size(), 2u);
    EXPECT_EQ(r.rdma.at("mlx5_1").hca_handles, 3u);
    EXPECT_EQ(r.rdma.at("mlx5_1").hca_objects, 10000u);
    EXPECT_FALSE(r.rdma.at("rxe3").hca_handles);
}

TEST(ConfigParse, FullConfigSeccomp) {
    Config c = parse_full();
    ASSERT_TRUE(c.linux_ && c.linux_->seccomp);
    const Seccomp& s = *c.linux_->seccomp;
    EXPECT_EQ(s.default_action, "SCMP_ACT_ERRNO");
    EXPECT_EQ(s.default_errno_ret, 38u);
    EXPECT_EQ(s.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
    EXPECT_EQ(s.flags, (std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"}));
    EXPECT_EQ(s.listener_path, "/run/agent.sock");
    EXPECT_EQ(s.listener_metadata, "meta");
    ASSERT_EQ(s.syscalls.size(), 3u);
    EXPECT_EQ(s.syscalls[0].names, (std::vector<std::string>{"read", "write"}));
    EXPECT_EQ(s.syscalls[0].action, "SCMP_ACT_ALLOW");
    EXPECT_FALSE(s.syscalls[0].errno_ret);
    ASSERT_EQ(s.syscalls[1].args.size(), 2u);
    EXPECT_EQ(s.syscalls[1].args[0].index, 0u);
    EXPECT_EQ(s.syscalls[1].args[0].value, 8u);
    EXPECT_EQ(s.syscalls[1].args[0].op, "SCMP_CMP_EQ");
    EXPECT_EQ(s.syscalls[1].args[1].index, 1u);
    EXPECT_EQ(s.syscalls[1].args[1].value, 255u);
    EXPECT_EQ(s.syscalls[1].args[1].value_two, 4u);
    EXPECT_EQ(s.syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
    EXPECT_EQ(s.syscalls[2].errno_ret, 1u);
}

TEST(ConfigParse, RoundTripsThroughJson) {
    Config c = parse_full();
    Json j = to_json(c);
    auto back = parse_config(j);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(*back == c) << "to_json gave " << j.dump(2);
    // And through text, as `spec` writes and `create` reads it.
    auto from_text = parse_config_text(j.dump(2));
    ASSERT_TRUE(from_text) << from_text.error().message;
    EXPECT_TRUE(*from_text == c);
}

TEST(ConfigParse, ToJsonUsesTheSpecsKeyNames) {
    Json j = to_json(parse_full());
    EXPECT_EQ(j["ociVersion"], "1.3.0");
    EXPECT_EQ(j["process"]["noNewPrivileges"], true);
    EXPECT_EQ(j["process"]["user"]["additionalGids"], Json::array({5, 6}));
    EXPECT_EQ(j["process"]["consoleSize"]["width"], 120);
    EXPECT_EQ(j["process"]["oomScoreAdj"], -500);
    EXPECT_EQ(j["process"]["ioPriority"]["class"], "IOPRIO_CLASS_BE");
    EXPECT_EQ(j["process"]["execCPUAffinity"]["final"], "2,3");
    EXPECT_EQ(j["linux"]["cgroupsPath"], "/berth/box");
    EXPECT_EQ(j["linux"]["rootfsPropagation"], "rslave");
    EXPECT_EQ(j["linux"]["maskedPaths"][0], "/proc/kcore");
    EXPECT_EQ(j["linux"]["readonlyPaths"][0], "/proc/sys");
    EXPECT_EQ(j["linux"]["uidMappings"][0]["hostID"], 100000);
    EXPECT_EQ(j["linux"]["uidMappings"][0]["containerID"], 0);
    EXPECT_EQ(j["linux"]["timeOffsets"]["boottime"]["nanosecs"], 500);
    EXPECT_EQ(j["linux"]["devices"][0]["type"], "c");
    EXPECT_EQ(j["linux"]["devices"][0]["fileMode"], 438);
    EXPECT_EQ(j["linux"]["resources"]["memory"]["disableOOMKiller"], true);
    EXPECT_EQ(j["linux"]["resources"]["blockIO"]["throttleReadIOPSDevice"][0]["rate"], 100);
    EXPECT_EQ(j["linux"]["resources"]["network"]["classID"], 1048577);
    EXPECT_EQ(j["linux"]["seccomp"]["defaultErrnoRet"], 38);
    EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][2]["errnoRet"], 1);
    EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][1]["args"][1]["valueTwo"], 4);
    EXPECT_EQ(j["linux"]["intelRdt"]["closID"], "guaranteed");
    EXPECT_EQ(j["linux"]["netDevices"]["eth1"]["name"], "ceth1");
    EXPECT_EQ(j["hooks"]["createRuntime"][0]["path"], "/bin/cr");
    EXPECT_EQ(j["hooks"]["prestart"][0]["timeout"], 5);
    // Nothing the config didn't say: no windows section, no unset optionals.
    EXPECT_FALSE(j.contains("windows"));
    EXPECT_FALSE(j["hooks"]["createRuntime"][0].contains("timeout"));
}

TEST(ConfigParse, ProcessRoundTripsAlone) {
    Process p = *parse_full().process;
    auto back = parse_process(to_json(p));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(*back == p);
}

TEST(ConfigParse, MinimalConfigLeavesOptionalSectionsUnset) {
    auto c = parse_config(minimal());
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_FALSE(c->process);
    EXPECT_FALSE(c->linux_);
    EXPECT_FALSE(c->root.readonly);
    EXPECT_TRUE(c->mounts.empty());
}

TEST(ConfigParse, NullMeansAbsentLikeGo) {
    Json j = minimal();
    j["process"] = nullptr;
    j["mounts"] = nullptr;
    j["linux"] = {{"resources", nullptr}, {"namespaces", nullptr}};
    auto c = parse_config(j);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_FALSE(c->process);
    ASSERT_TRUE(c->linux_);
    EXPECT_FALSE(c->linux_->resources);
}

// --- type errors name the JSON path ---

TEST(ConfigParseErrors, TopLevelMustBeAnObject) {
    EXPECT_EQ(parse_error(Json::array()), "expected a JSON object, got array");
}

TEST(ConfigParseErrors, OciVersionNotAString) {
    Json j = minimal();
    j["ociVersion"] = 1;
    EXPECT_EQ(parse_error(j), "ociVersion: expected a string, got number");
}

TEST(ConfigParseErrors, RootNotAnObject) {
    Json j = minimal();
    j["root"] = "rootfs";
    EXPECT_EQ(parse_error(j), "root: expected an object, got string");
}

TEST(ConfigParseErrors, RootReadonlyNotABoolean) {
    Json j = minimal();
    j["root"]["readonly"] = "yes";
    EXPECT_EQ(parse_error(j), "root.readonly: expected a boolean, got string");
}

TEST(ConfigParseErrors, ProcessArgsNotAnArray) {
    Json j = minimal();
    j["process"] = {{"args", 3}, {"cwd", "/"}};
    EXPECT_EQ(parse_error(j), "process.args: expected an array of strings, got number");
}

TEST(ConfigParseErrors, ProcessArgsElementNotAString) {
    Json j = minimal();
    j["process"] = {{"args", {"sh", true}}, {"cwd", "/"}};
    EXPECT_EQ(parse_error(j), "process.args[1]: expected a string, got boolean");
}

TEST(ConfigParseErrors, ProcessUserUidNegative) {
    Json j = minimal();
    j["process"] = {{"args", {"sh"}}, {"user", {{"uid", -1}}}};
    EXPECT_EQ(parse_error(j), "process.user.uid: expected an integer in [0, 4294967295], got -1");
}

TEST(ConfigParseErrors, ProcessAdditionalGidsElement) {
    Json j = minimal();
    j["process"] = {{"args", {"sh"}}, {"user", {{"additionalGids", {1, "2"}}}}};
    EXPECT_EQ(parse_error(j), "process.user.additionalGids[1]: expected an integer, got string");
}

TEST(ConfigParseErrors, RlimitSoftNotAnInteger) {
    Json j = minimal();
    j["process"] = {{"args", {"sh"}},
                    {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"soft", 1.5}, {"hard", 2}}}}};
    EXPECT_EQ(parse_error(j), "process.rlimits[0].soft: expected an integer, got number 1.5");
}

TEST(ConfigParseErrors, CapabilitiesSetNotAnArray) {
    Json j = minimal();
    j["process"] = {{"args", {"sh"}}, {"capabilities", {{"bounding", "CAP_KILL"}}}};
    EXPECT_EQ(parse_error(j),
              "process.capabilities.bounding: expected an array of strings, got string");
}

TEST(ConfigParseErrors, MountDestinationNotAString) {
    Json j = minimal();
    j["mounts"] = {{{"destination", "/a"}}, {{"destination", "/b"}}, {{"destination", 7}}};
    EXPECT_EQ(parse_error(j), "mounts[2].destination: expected a string, got number");
}

TEST(ConfigParseErrors, MountsNotAnArrayAndElementsNotObjects) {
    Json j = minimal();
    j["mounts"] = {{"destination", "/a"}};
    EXPECT_EQ(parse_error(j), "mounts: expected an array, got object");
    j["mounts"] = {"/a"};
    EXPECT_EQ(parse_error(j), "mounts[0]: expected an object, got string");
}

TEST(ConfigParseErrors, HookTimeoutNotAnInteger) {
    Json j = minimal();
    j["hooks"] = {{"poststop", {{{"path", "/bin/true"}, {"timeout", "5"}}}}};
    EXPECT_EQ(parse_error(j), "hooks.poststop[0].timeout: expected an integer, got string");
}

TEST(ConfigParseErrors, AnnotationValueNotAString) {
    Json j = minimal();
    j["annotations"] = {{"a", "b"}, {"n", 1}};
    EXPECT_EQ(parse_error(j), "annotations.n: expected a string, got number");
}

TEST(ConfigParseErrors, MemoryLimitNotAnInteger) {
    Json j = minimal();
    j["linux"]["resources"]["memory"]["limit"] = "512M";
    EXPECT_EQ(parse_error(j), "linux.resources.memory.limit: expected an integer, got string");
}

TEST(ConfigParseErrors, BlockIoWeightOutOfRange) {
    Json j = minimal();
    j["linux"]["resources"]["blockIO"]["weight"] = 70000;
    EXPECT_EQ(parse_error(j),
              "linux.resources.blockIO.weight: expected an integer in [0, 65535], got 70000");
}

TEST(ConfigParseErrors, PidsNotAnObject) {
    Json j = minimal();
    j["linux"]["resources"]["pids"] = 5;
    EXPECT_EQ(parse_error(j), "linux.resources.pids: expected an object, got number");
}

TEST(ConfigParseErrors, RdmaEntryNotAnObject) {
    Json j = minimal();
    j["linux"]["resources"]["rdma"] = {{"mlx", 3}};
    EXPECT_EQ(parse_error(j), "linux.resources.rdma.mlx: expected an object, got number");
}

TEST(ConfigParseErrors, UnknownNamespaceType) {
    Json j = minimal();
    j["linux"]["namespaces"] = {{{"type", "pid"}}, {{"type", "mount"}}, {{"type", "pdi"}}};
    EXPECT_EQ(parse_error(j), "linux.namespaces[2].type: unknown namespace type \"pdi\"");
}

TEST(ConfigParseErrors, NamespaceWithoutType) {
    Json j = minimal();
    j["linux"]["namespaces"] = {{{"path", "/proc/1/ns/pid"}}};
    EXPECT_EQ(parse_error(j), "linux.namespaces[0]: type: required");
}

TEST(ConfigParseErrors, UidMappingHostIdWrongType) {
    Json j = minimal();
    j["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", "1000"}, {"size", 1}}};
    EXPECT_EQ(parse_error(j), "linux.uidMappings[0].hostID: expected an integer, got string");
}

TEST(ConfigParseErrors, DeviceTypeLongerThanOneLetter) {
    Json j = minimal();
    j["linux"]["devices"] = {{{"type", "char"}, {"path", "/dev/x"}, {"major", 1}, {"minor", 3}}};
    EXPECT_EQ(parse_error(j), "linux.devices[0].type: must be one of c, b, u, p, got \"char\"");
}

TEST(ConfigParseErrors, CharDeviceNeedsMajorAndMinor) {
    Json j = minimal();
    j["linux"]["devices"] = {{{"type", "c"}, {"path", "/dev/x"}, {"major", 1}}};
    EXPECT_EQ(parse_error(j), "linux.devices[0]: minor: required for device type c");
}

TEST(ConfigParseErrors, SeccompArgValueWrongType) {
    Json j = minimal();
    j["linux"]["seccomp"] = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls",
         {{{"names", {"read"}},
           {"action", "SCMP_ACT_ERRNO"},
           {"args", {{{"index", 0}, {"value", "1"}, {"op", "SCMP_CMP_EQ"}}}}}}}};
    EXPECT_EQ(parse_error(j),
              "linux.seccomp.syscalls[0].args[0].value: expected an integer, got string");
}

TEST(ConfigParseErrors, TimeOffsetSecsWrongType) {
    Json j = minimal();
    j["linux"]["timeOffsets"] = {{"boottime", {{"secs", "1"}}}};
    EXPECT_EQ(parse_error(j), "linux.timeOffsets.boottime.secs: expected an integer, got string");
}

TEST(ConfigParseErrors, SysctlValueNotAString) {
    Json j = minimal();
    j["linux"]["sysctl"] = {{"net.ipv4.ip_forward", 1}};
    EXPECT_EQ(parse_error(j), "linux.sysctl.net.ipv4.ip_forward: expected a string, got number");
}

TEST(ConfigParseErrors, TextWithSyntaxErrorNamesThePosition) {
    auto r = parse_config_text("{\n  \"ociVersion\": \"1.3.0\",\n  oops\n}");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("config.json: invalid JSON"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
}

TEST(ConfigParse, UnknownAndOtherPlatformFieldsAreIgnored) {
    Json j = minimal();
    j["solaris"] = {{"milestone", "svc:/milestone/container:default"}};
    j["freebsd"] = 5;
    j["linux"] = {{"futureKnob", true}, {"cgroupsPath", "/x"}};
    auto c = parse_config(j);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->linux_->cgroups_path, "/x");
}

// --- parse_process (exec --process) ---

TEST(ParseProcess, ReadsTheProcessObjectAlone) {
    auto p = parse_process(Json{{"args", {"ls", "-l"}}, {"cwd", "/tmp"}, {"env", {"A=b"}}});
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->args, (std::vector<std::string>{"ls", "-l"}));
    EXPECT_EQ(p->cwd, "/tmp");
}

TEST(ParseProcess, ErrorsArePrefixedWithProcess) {
    auto p = parse_process(Json{{"args", "ls"}});
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message, "process.args: expected an array of strings, got string");
    auto q = parse_process(Json::array());
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().message, "process: expected an object, got array");
}

TEST(ParseProcess, IsValidated) {
    auto p = parse_process(Json{{"args", {"ls"}}, {"cwd", "tmp"}});
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message, "process.cwd: must be an absolute path, got \"tmp\"");
    auto q = parse_process(Json{{"args", Json::array()}, {"cwd", "/"}});
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().message, "process.args: must not be empty");
}

// --- load_bundle_config ---

class BundleTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-config-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    void write_config(std::string_view text) {
        ASSERT_TRUE(write_file_atomic(dir_ + "/config.json", text));
    }
    std::string dir_;
};

TEST_F(BundleTest, MissingConfigSaysWhichBundle) {
    auto r = load_bundle_config(dir_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "bundle " + dir_ + ": config.json: No such file or directory");
    EXPECT_EQ(r.error().sys_errno, ENOENT);
}

TEST_F(BundleTest, BadJsonSaysWhereInTheFile) {
    write_config("{\"ociVersion\": \"1.3.0\",\n \"root\": {\"path\": \"rootfs\",}\n}");
    auto r = load_bundle_config(dir_);
    ASSERT_FALSE(r);
    const std::string& m = r.error().message;
    EXPECT_EQ(m.rfind("bundle " + dir_ + ": config.json: invalid JSON", 0), 0u) << m;
    EXPECT_NE(m.find("line 2"), std::string::npos) << m;
}

TEST_F(BundleTest, InvalidConfigNamesBundleAndField) {
    write_config(
        R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "mounts": [{"destination": "tmp"}]})");
    auto r = load_bundle_config(dir_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "bundle " + dir_ +
                                     ": config.json: mounts[0].destination: must be an absolute "
                                     "path, got \"tmp\"");
}

TEST_F(BundleTest, LoadsAValidConfig) {
    write_config(kFullConfig);
    auto r = load_bundle_config(dir_);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(*r == parse_full());
}

}  // namespace
}  // namespace berth::oci

// The OCI runtime-spec config.json (v1.x) as C++ types: what a Linux bundle can say.
// Parsing and validation live in config_parse.hpp; generation of the default spec in
// default_spec.hpp. Field names follow the spec's JSON keys in snake_case.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::oci {

// The runtime-spec version these types model (the spec in shared/specs: v1.3.0
// introduced intelRdt.enableMonitoring, which is here).
inline constexpr const char* kOciVersion = "1.3.0";

struct Root {
    std::string path;  // relative paths resolve against the bundle
    bool readonly = false;
    bool operator==(const Root&) const = default;
};

struct Mount {
    std::string destination;  // absolute inside the container
    std::string type;         // "bind", "tmpfs", "proc", ... ; empty for bind with "bind" option
    std::string source;
    std::vector<std::string> options;
    struct IdMap {
        uint32_t container_id = 0, host_id = 0, size = 0;
        bool operator==(const IdMap&) const = default;
    };
    std::vector<IdMap> uid_mappings, gid_mappings;
    bool operator==(const Mount&) const = default;
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::string username;  // windows-only in the spec; kept for round-trips
    bool operator==(const User&) const = default;
};

struct Capabilities {
    std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
    bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE", ...
    uint64_t soft = 0;
    uint64_t hard = 0;
    bool operator==(const Rlimit&) const = default;
};

struct ConsoleSize {
    unsigned height = 0, width = 0;
    bool operator==(const ConsoleSize&) const = default;
};

struct IoPriority {
    std::string klass;  // IOPRIO_CLASS_RT | _BE | _IDLE
    int priority = 0;
    bool operator==(const IoPriority&) const = default;
};

struct Scheduler {
    std::string policy;  // SCHED_OTHER, ...
    std::optional<int> nice, priority;
    std::vector<std::string> flags;
    std::optional<uint64_t> runtime, deadline, period;
    bool operator==(const Scheduler&) const = default;
};

// CPUs an exec'd process runs on before and after joining the container's cgroup.
struct ExecCpuAffinity {
    std::string initial_cpus;  // "initial": "0-3,7"
    std::string final_cpus;    // "final"
    bool operator==(const ExecCpuAffinity&) const = default;
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::string command_line;  // windows-only
    std::vector<std::string> env;
    std::string cwd = "/";
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::string apparmor_profile;
    std::optional<int> oom_score_adj;
    std::string selinux_label;
    std::optional<IoPriority> io_priority;
    std::optional<Scheduler> scheduler;
    std::optional<ExecCpuAffinity> exec_cpu_affinity;
    bool operator==(const Process&) const = default;
};

struct Hook {
    std::string path;  // absolute
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int> timeout;  // seconds, > 0
    bool operator==(const Hook&) const = default;
};

struct Hooks {
    std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
        poststop;
    bool operator==(const Hooks&) const = default;
};

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

struct Namespace {
    NamespaceType type;
    std::string path;  // empty: create a new one; else join this one
    bool operator==(const Namespace&) const = default;
};

struct IdMapping {
    uint32_t container_id = 0, host_id = 0, size = 0;
    bool operator==(const IdMapping&) const = default;
};

struct Device {
    char type = 'c';  // 'c', 'b', 'u', 'p'
    std::string path;
    int64_t major = 0, minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid, gid;
    bool operator==(const Device&) const = default;
};

// --- resources (cgroups) ---

struct DeviceRule {
    bool allow = false;
    std::string type;  // "a", "c", "b"; empty means "a"
    std::optional<int64_t> major, minor;
    std::string access;  // subset of "rwm"; empty means "rwm"
    bool operator==(const DeviceRule&) const = default;
};

struct MemoryResources {
    std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
    bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> burst;
    std::optional<uint64_t> period;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::string cpus, mems;
    std::optional<int64_t> idle;
    bool operator==(const CpuResources&) const = default;
};

struct PidsResources {
    int64_t limit = 0;  // <= 0: unlimited
    bool operator==(const PidsResources&) const = default;
};

struct BlockIoDevice {
    int64_t major = 0, minor = 0;
    bool operator==(const BlockIoDevice&) const = default;
};
struct WeightDevice : BlockIoDevice {
    std::optional<uint16_t> weight, leaf_weight;
    bool operator==(const WeightDevice&) const = default;
};
struct ThrottleDevice : BlockIoDevice {
    uint64_t rate = 0;
    bool operator==(const ThrottleDevice&) const = default;
};

struct BlockIoResources {
    std::optional<uint16_t> weight, leaf_weight;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps_device, throttle_write_bps_device,
        throttle_read_iops_device, throttle_write_iops_device;
    bool operator==(const BlockIoResources&) const = default;
};

struct HugepageLimit {
    std::string page_size;  // "2MB"
    uint64_t limit = 0;
    bool operator==(const HugepageLimit&) const = default;
};

struct NetworkResources {
    std::optional<uint32_t> class_id;
    struct Priority {
        std::string name;
        uint32_t priority = 0;
        bool operator==(const Priority&) const = default;
    };
    std::vector<Priority> priorities;
    bool operator==(const NetworkResources&) const = default;
};

struct RdmaLimit {
    std::optional<uint32_t> hca_handles, hca_objects;
    bool operator==(const RdmaLimit&) const = default;
};

struct Resources {
    std::vector<DeviceRule> devices;
    std::optional<MemoryResources> memory;
    std::optional<CpuResources> cpu;
    std::optional<PidsResources> pids;
    std::optional<BlockIoResources> block_io;
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<NetworkResources> network;
    std::map<std::string, std::string> unified;  // cgroup v2 key -> value
    std::map<std::string, RdmaLimit> rdma;       // device name -> limits
    bool operator==(const Resources&) const = default;
};

// --- seccomp ---

struct SeccompArg {
    unsigned index = 0;
    uint64_t value = 0;
    uint64_t value_two = 0;
    std::string op;  // SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ
    bool operator==(const SeccompArg&) const = default;
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;  // SCMP_ACT_*
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
    bool operator==(const SeccompSyscall&) const = default;
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;  // SCMP_ARCH_*
    std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
    std::string listener_path;
    std::string listener_metadata;
    std::vector<SeccompSyscall> syscalls;
    bool operator==(const Seccomp&) const = default;
};

struct Personality {
    std::string domain;  // LINUX, LINUX32
    std::vector<std::string> flags;
    bool operator==(const Personality&) const = default;
};

struct NetDevice {
    std::string name;  // name inside the container; empty keeps the host name
    bool operator==(const NetDevice&) const = default;
};

struct IntelRdt {
    std::string clos_id;
    std::vector<std::string> schemata;
    std::string l3_cache_schema;
    std::string mem_bw_schema;
    bool enable_monitoring = false;
    bool operator==(const IntelRdt&) const = default;
};

struct MemoryPolicy {
    std::string mode;   // MPOL_*
    std::string nodes;  // "0-3,7"
    std::vector<std::string> flags;
    bool operator==(const MemoryPolicy&) const = default;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings, gid_mappings;
    std::map<std::string, int64_t> time_offsets_secs;  // "boottime"/"monotonic" -> secs
    std::map<std::string, uint32_t> time_offsets_nsecs;
    std::vector<Device> devices;
    std::string cgroups_path;
    std::optional<Resources> resources;
    std::string rootfs_propagation;  // shared, slave, private, unbindable, ...
    std::optional<Seccomp> seccomp;
    std::map<std::string, std::string> sysctl;
    std::vector<std::string> masked_paths, readonly_paths;
    std::string mount_label;
    std::optional<Personality> personality;
    std::map<std::string, NetDevice> net_devices;  // host device name -> settings
    std::optional<IntelRdt> intel_rdt;
    std::optional<MemoryPolicy> memory_policy;
    bool has_namespace(NamespaceType t) const {
        for (auto& n : namespaces)
            if (n.type == t) return true;
        return false;
    }
    const Namespace* find_namespace(NamespaceType t) const {
        for (auto& n : namespaces)
            if (n.type == t) return &n;
        return nullptr;
    }
    bool operator==(const Linux&) const = default;
};

struct Config {
    std::string oci_version;
    Root root;
    std::optional<Process> process;  // required by create/run; optional in the spec
    std::string hostname;
    std::string domainname;
    std::vector<Mount> mounts;
    Hooks hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux_;  // "linux" is a predefined macro on GNU C++
    bool operator==(const Config&) const = default;
};

const char* namespace_type_name(NamespaceType t);  // "pid", "network", ...

}  // namespace berth::oci

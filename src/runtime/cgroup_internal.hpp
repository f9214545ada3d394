// Pieces shared by the cgroup backends: file access with errors that name the file
// and the value, the process walk, teardown, mountinfo parsing and path resolution.
// Not part of the public interface (cgroup.hpp).
#pragma once

#include <linux/bpf.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "oci/config.hpp"
#include "runtime/cgroup.hpp"

namespace berth::runtime::cgroup_detail {

// --- files (cgroup_fs.cpp) ---

// One write of `value` to dir/file. Errors read
// "write /sys/fs/cgroup/memory/berth/x/memory.limit_in_bytes = 1000: Device or resource busy".
Result<void> write_file(const std::string& dir, std::string_view file, std::string_view value);
// The contents of dir/file, surrounding whitespace trimmed.
Result<std::string> read_trimmed(const std::string& dir, std::string_view file);
bool has_file(const std::string& dir, std::string_view file);
// Pids in dir/cgroup.procs and in every descendant directory's.
Result<std::vector<pid_t>> procs_recursive(const std::string& dir);
// SIGKILLs every pid procs_recursive() finds; pids already gone are fine.
Result<void> kill_all(const std::string& dir);
// True when no process is in dir or its descendants (a missing dir is empty).
bool is_empty(const std::string& dir);
// Waits (bounded) until no process is left in dir or its descendants.
Result<void> wait_empty(const std::string& dir);
// Removes dir and its descendant directories, deepest first. rmdir can briefly see
// EBUSY while the kernel finishes tearing down exited tasks, so it retries.
// A missing dir is not an error.
Result<void> remove_tree(const std::string& dir);
// One level of a cgroup path below a hierarchy root, top-down.
struct CgroupLevel {
    std::string dir;
    bool created = false;  // made by make_levels, not there before
};
// mkdir of each level of `rel` ("/berth/x") under `base`; on failure removes the
// levels it made.
Result<std::vector<CgroupLevel>> make_levels(const std::string& base, const std::string& rel);
// Undoes make_levels: rmdir of the created levels, deepest first, errors ignored.
void remove_created(const std::vector<CgroupLevel>& levels);
// Polls `done` every few milliseconds until it is true, fails, or `timeout` passes.
Result<void> poll_until(const std::function<Result<bool>()>& done,
                        std::chrono::milliseconds timeout, std::string_view what);

// --- hierarchies and paths (cgroup_mountinfo.cpp) ---

struct MountInfo {
    std::string root;  // the mount's root within its filesystem
    std::string mount_point;
    std::string fs_type;
    std::string super_options;
};
Result<std::vector<MountInfo>> read_mountinfo(const std::string& path = "/proc/self/mountinfo");

// The v1 controllers named in a cgroup mount's super options ("rw,cpu,cpuacct").
std::vector<std::string> v1_controllers(std::string_view super_options);
std::string parent_dir(const std::string& path);

// A v1 hierarchy: where it is mounted and which controllers it carries
// ("cpu","cpuacct" for a co-mount; "name=systemd" for a named one).
struct V1Hierarchy {
    std::string mount_dir;
    std::vector<std::string> controllers;
};
// The v1 hierarchies mounted directly under `mount_point`, from mountinfo; when
// none are listed there (a fake tree in a test), its subdirectories, each named
// after its controllers, symlinks skipped. The cgroup2 "unified" mount is skipped.
Result<std::vector<V1Hierarchy>> find_v1_hierarchies(const std::string& mount_point,
                                                     const std::vector<MountInfo>& mounts);

// /proc/<self>/cgroup as hierarchy -> path: the key is the controller list as the
// kernel prints it ("cpu,cpuacct", "name=systemd") and "" for cgroup v2.
Result<std::map<std::string, std::string>> read_proc_cgroup(
    const std::string& path = "/proc/self/cgroup");

// linux.cgroupsPath to a normalised absolute path below the cgroup root ("/berth/x").
Result<std::string> resolve_cgroup_path(const std::string& cgroups_path,
                                        const std::string& container_id);

// --- the container's view (cgroup_mount.cpp) ---

// cgroup v2 at `target`: a fresh cgroup2 mount when `own_path` (this process's
// cgroup, from /proc/self/cgroup) is "/" (a new cgroup namespace, or the root),
// else a bind of host_mount + own_path, so the container sees its own subtree.
Result<void> mount_cgroup2_view(const std::string& target, unsigned long flags,
                                const std::string& host_mount, const std::string& own_path);

// --- backends ---

// Where the container's directory lives in each v1 hierarchy.
struct V1Dirs {
    std::map<std::string, std::string> by_controller;  // "memory" -> ".../memory/berth/x"
    std::vector<std::string> all;                      // one per hierarchy
    std::string mount_point;                           // for error messages
    std::string rel_path;                              // "/berth/x"

    const std::string* find(std::string_view controller) const;
    // The directory, or an error saying the controller is not mounted and who needs it.
    Result<std::string> need(std::string_view controller, std::string_view needed_by) const;
};

std::unique_ptr<Cgroup> make_cgroup_v1(V1Dirs dirs);
std::unique_ptr<Cgroup> make_cgroup_v2(std::string mount_point, std::string rel_path);

// v1 limits (cgroup_v1_resources.cpp).
Result<void> apply_v1_resources(const V1Dirs& d, const oci::Resources& r);
// v2 limits (cgroup_v2_resources.cpp).
Result<void> apply_v2_resources(const std::string& dir, const oci::Resources& r);

// v2 devices (cgroup_v2_devices.cpp). The program: rules checked last to first, the
// first that matches decides (so the last matching rule wins), default deny.
std::vector<bpf_insn> build_device_program(const std::vector<oci::DeviceRule>& rules);
// Loads the program and attaches it to the cgroup directory, then detaches the
// programs that were attached before (an update replaces the filter).
Result<void> apply_device_filter(const std::string& dir, const std::vector<oci::DeviceRule>& rules);

// Conversions from the OCI (v1-flavoured) values to cgroup v2 ones.
uint64_t shares_to_weight(uint64_t shares);
uint64_t blkio_weight_to_io_weight(uint64_t weight);
// OCI memory.swap is memory+swap; v2's memory.swap.max is swap alone. "" = leave.
Result<std::string> swap_to_v2(std::optional<int64_t> swap, std::optional<int64_t> limit);

}  // namespace berth::runtime::cgroup_detail

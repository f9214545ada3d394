// A container's cgroup, on cgroup v1 (one directory per controller hierarchy) or
// cgroup v2 (one unified directory) behind one interface. The backend is chosen by
// what is mounted at the cgroup root: cgroup2 at the root means v2; anything else
// (v1 or hybrid, whose /sys/fs/cgroup/unified holds no controllers) means v1.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

enum class CgroupVersion { v1, v2 };

class Cgroup {
  public:
    virtual ~Cgroup() = default;

    virtual CgroupVersion version() const = 0;
    // Creates the directories (all controllers on v1; on v2 also enables the
    // controllers the resources need in the parents' cgroup.subtree_control).
    virtual Result<void> create() = 0;
    // Writes every limit `r` sets; fields left unset are not touched. Works both at
    // create time and live (an update). Errors name the file and the value.
    virtual Result<void> apply(const oci::Resources& r) = 0;
    // Moves `pid` (a whole process) into the cgroup.
    virtual Result<void> add_process(pid_t pid) = 0;
    // The v2 directory, opened for clone3(CLONE_INTO_CGROUP): a child born in its
    // cgroup is never migrated (no RCU wait). Invalid on v1, which has no such clone.
    virtual Result<UniqueFd> open_for_clone() const = 0;
    // Files through which a single-threaded process moves *itself* in by writing
    // "0", opened here so the permission check uses our credentials. On v1 these
    // are the "tasks" files: moving only the writing thread skips the kernel's
    // global threadgroup lock, whose writer waits out an RCU grace period
    // (~13 ms here) on every cgroup.procs write. Empty on v2, where the caller
    // uses add_process.
    virtual Result<std::vector<UniqueFd>> open_self_join_files() const = 0;
    // Every process in the cgroup and its descendants' cgroups.
    virtual Result<std::vector<pid_t>> processes() const = 0;
    virtual Result<void> freeze() = 0;
    virtual Result<void> thaw() = 0;
    virtual Result<bool> frozen() const = 0;
    // Kills every process left (SIGKILL, thawing first), then removes the
    // directories, deepest first. Missing directories are not an error.
    virtual Result<void> destroy() = 0;
    // The directory a controller lives in ("" on v2 means the unified one), for
    // diagnostics and for bind-mounting into the container.
    virtual std::string path(const std::string& controller = "") const = 0;
};

// Where the hierarchies are mounted: /sys/fs/cgroup, or $BERTH_CGROUP_ROOT when
// set (a hybrid host's /sys/fs/cgroup/unified runs containers on cgroup v2; tests
// point it at a fake tree).
std::string default_cgroup_mount_point();
struct CgroupRoot {
    std::string mount_point = default_cgroup_mount_point();
};

CgroupVersion detect_cgroup_version(const CgroupRoot& root = {});

// Opens (does not create) the cgroup for a container. `cgroups_path` is the
// config's linux.cgroupsPath: absolute paths are taken under the mount point;
// relative ones and "" are placed under "/berth" ("" becomes "/berth/<id>").
Result<std::unique_ptr<Cgroup>> open_cgroup(const std::string& cgroups_path,
                                            const std::string& container_id,
                                            const CgroupRoot& root = {});

// Same, with the version forced (unit tests over a fake cgroupfs tree).
Result<std::unique_ptr<Cgroup>> open_cgroup(CgroupVersion v, const std::string& cgroups_path,
                                            const std::string& container_id,
                                            const CgroupRoot& root);

// Writes "0" to each file from open_self_join_files(): the calling thread (which
// must be its process's only thread) joins the cgroup.
Result<void> join_cgroup_self(const std::vector<int>& fds);

// Mounts a cgroup filesystem view at `target` (a host path inside the prepared
// rootfs, before pivot_root), as a "cgroup" mount in config.json asks. `flags` are
// the mount flags of that entry (MS_RDONLY, MS_NOSUID, ...). v2: a cgroup2 mount; v1:
// a tmpfs with one mount per controller hierarchy beneath it. Run inside the
// container's mount (and cgroup) namespace.
Result<void> mount_cgroup_fs(const std::string& target, unsigned long flags);

}  // namespace berth::runtime

// A container's record under the runtime root (--root): <root>/<id>/state.json,
// the config it was created with (the bundle may vanish), and exec.fifo while the
// init waits for `start`. Status is derived from the kernel, never trusted from disk.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

enum class Status { creating, created, running, paused, stopped };
const char* status_name(Status s);

struct ContainerState {
    std::string id;
    std::string bundle;
    std::string rootfs;
    pid_t pid = 0;
    unsigned long long pid_start_time = 0;  // /proc/<pid>/stat field 22: guards pid reuse
    std::string created;                    // RFC 3339, UTC
    std::string owner;
    std::map<std::string, std::string> annotations;
    std::string cgroups_path;  // linux.cgroupsPath as given
};

class StateDir {
  public:
    StateDir(std::string root, std::string id);
    const std::string& dir() const { return dir_; }
    std::string state_file() const;
    std::string config_file() const;
    std::string exec_fifo() const;

  private:
    std::string dir_;
};

// Creates <root> (0700) and <root>/<id>; fails with "container with id X already
// exists" when the directory is there.
Result<void> claim_state_dir(const std::string& root, const std::string& id);
Result<void> remove_state_dir(const std::string& root, const std::string& id);

Result<void> save_state(const std::string& root, const ContainerState& s);
// "container \"x\" does not exist" when there is no such container.
Result<ContainerState> load_state(const std::string& root, const std::string& id);
Result<oci::Config> load_saved_config(const std::string& root, const std::string& id);
Result<std::vector<std::string>> list_container_ids(const std::string& root);

// The live status: stopped if the init is gone (or its pid was reused), created
// while exec.fifo exists, paused if the cgroup is frozen, else running.
Status current_status(const std::string& root, const ContainerState& s);

// The runtime-spec state object ("ociVersion", "id", "status", "pid", "bundle",
// "annotations") plus runc's "rootfs", "created", "owner"; pid is 0 when stopped.
Json state_json(const ContainerState& s, Status status);

// /proc/<pid>/stat start time, 0 if the process is gone.
unsigned long long process_start_time(pid_t pid);

}  // namespace berth::runtime

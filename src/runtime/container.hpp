// The runtime's operations on containers, as `berth-runtime` exposes them and as
// the daemon will call them in-process. `root` is the state directory (--root).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

struct CreateOptions {
    std::string id;
    std::string bundle;    // absolute or relative to the cwd
    std::string pid_file;  // written with the init's pid when set
    int console_fd = -1;   // connected socket that receives the pty master
    bool no_pivot = false;
    bool new_keyring = true;  // a fresh session keyring (--no-new-keyring: keep ours)
    int preserve_fds = 0;     // fds 3..3+n-1 pass into the container
};

// Creates the container and leaves its init waiting on exec.fifo for `start`.
// The init is a child of the calling process. On failure nothing is left behind.
Result<pid_t> create_container(const std::string& root, const CreateOptions& o);

// Lets the init exec the user process; runs poststart hooks.
Result<void> start_container(const std::string& root, const std::string& id);

Result<Json> container_state(const std::string& root, const std::string& id);
Result<void> kill_container(const std::string& root, const std::string& id, int sig, bool all);
// Removes a stopped (or created) container; `force` kills a running one first.
// Runs poststop hooks.
Result<void> delete_container(const std::string& root, const std::string& id, bool force);
Result<void> pause_container(const std::string& root, const std::string& id);
Result<void> resume_container(const std::string& root, const std::string& id);
Result<std::vector<pid_t>> container_processes(const std::string& root, const std::string& id);

struct ExecOptions {
    oci::Process process;
    std::string pid_file;
    int console_fd = -1;
    int preserve_fds = 0;
    bool ignore_paused = false;  // exec into a paused container (runs once resumed)
};
// Runs a process in a running container. Returns its pid: a child of the caller.
Result<pid_t> exec_in_container(const std::string& root, const std::string& id,
                                const ExecOptions& o);
// The container's config as created (for exec's defaults).
Result<oci::Config> container_config(const std::string& root, const std::string& id);

}  // namespace berth::runtime

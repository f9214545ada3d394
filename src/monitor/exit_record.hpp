// <state-dir>/exit.json: how the container's init ended, written once by the
// monitor (atomically) before it deletes the container.
#pragma once

#include <string>

#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::monitor {

struct ExitStatus {
    int exit_code = 0;  // the exit status, or 128 + signal
    int signal = 0;     // the killing signal, 0 when it exited
    bool oom_killed = false;
    std::string finished_at;  // RFC 3339, UTC, nanoseconds
};

// From a waitpid status.
ExitStatus exit_status_from_wait(int wstatus);

Json exit_status_json(const ExitStatus& s);
Result<ExitStatus> parse_exit_status(const Json& j);

// Whether the kernel's OOM killer killed a process in the container's cgroup
// (v2 memory.events or v1 memory.oom_control "oom_kill" > 0). Read before the
// cgroup is destroyed; false when it can't be told.
bool cgroup_saw_oom_kill(const std::string& runtime_root, const std::string& id);

}  // namespace berth::monitor

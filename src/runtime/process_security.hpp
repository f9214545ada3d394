// What the container's process becomes just before execve: identity (uid, gids,
// umask), capabilities, rlimits, no_new_privs, oom_score_adj, personality,
// scheduler, I/O priority and the seccomp filter, applied in the order the kernel
// requires (e.g. bounding set drop before setuid; seccomp without no_new_privs
// needs CAP_SYS_ADMIN so it is loaded before capabilities are dropped).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "oci/config.hpp"
#include "runtime/seccomp_program.hpp"

namespace berth::runtime {

// Rlimits are set before anything else in the init (and may be set from the
// parent with prlimit); kept separate so exec can apply them too.
Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits);

// Applies everything above for `p` in the calling process, which runs as root in
// the container's namespaces. Returns the seccomp notify listener fd when the
// filter uses SCMP_ACT_NOTIFY (linux.seccomp.listenerPath set), else -1.
Result<int> apply_process_security(const oci::Process& p, const SeccompProgram* seccomp);

// personality(2) for linux.personality ("LINUX" or "LINUX32"; the spec defines no
// flags yet, so any flag is an error). Separate from apply_process_security because
// it lives in config.linux, not config.process; call it before that.
Result<void> apply_personality(const oci::Personality& p);

// The seccomp agent at linux.seccomp.listenerPath, a path on the host: connect
// before pivot_root (or before entering an exec'd process's mount namespace).
Result<UniqueFd> connect_seccomp_agent(const std::string& listener_path);

// Sends a seccomp notify fd to the agent as the runtime-spec asks (config-linux.md,
// "The Container Process State"): a SCM_RIGHTS message whose data is the
// container process state JSON.
Result<void> send_seccomp_listener(int agent, int fd, const std::string& process_state_json);

// That JSON: {"ociVersion","fds":["seccompFd"],"pid","metadata","state"}, where pid
// is the process's pid as the runtime sees it (the host's, not 1).
std::string seccomp_process_state(long host_pid, const std::string& metadata,
                                  const std::string& container_state_json);

// Validation used by config parsing and `features`.
bool is_known_capability(std::string_view name);  // "CAP_SYS_ADMIN"
std::vector<std::string> known_capabilities();    // every CAP_* this build knows
bool is_known_rlimit(std::string_view name);      // "RLIMIT_NOFILE"
// Checks names of actions, architectures, operators, flags and syscalls; the error
// names the offending entry ("linux.seccomp.syscalls[3].action: unknown ...").
Result<void> validate_seccomp(const oci::Seccomp& s);
std::vector<std::string> known_seccomp_actions();
std::vector<std::string> known_seccomp_architectures();
std::vector<std::string> known_seccomp_operators();
std::vector<std::string> known_seccomp_flags();

}  // namespace berth::runtime

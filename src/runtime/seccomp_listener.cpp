// Hands a seccomp notify fd to the agent at linux.seccomp.listenerPath
// (config-linux.md, "Seccomp"; runtime.md's container process state).
#include "base/json.hpp"
#include "base/unix_socket.hpp"
#include "runtime/process_security.hpp"

namespace berth::runtime {

static std::string agent_context(const std::string& path) {
    return "seccomp agent at linux.seccomp.listenerPath \"" + path + "\"";
}

Result<UniqueFd> connect_seccomp_agent(const std::string& listener_path) {
    return with_context(connect_unix(listener_path), agent_context(listener_path));
}

Result<void> send_seccomp_listener(int agent, int fd, const std::string& process_state_json) {
    // The agent needs at least one byte to receive the fd with.
    if (process_state_json.empty()) return fail("send the seccomp notify fd: empty process state");
    return with_context(send_fd(agent, fd, process_state_json), "send the seccomp notify fd");
}

std::string seccomp_process_state(long host_pid, const std::string& metadata,
                                  const std::string& container_state_json) {
    Json state = Json::parse(container_state_json, nullptr, /*allow_exceptions=*/false);
    Json j = {{"ociVersion", "1.2.0"},
              {"fds", {"seccompFd"}},
              {"pid", host_pid},
              {"metadata", metadata},
              {"state", state}};
    return j.dump();
}

}  // namespace berth::runtime

// Hands a seccomp notify fd to the agent at linux.seccomp.listenerPath
// (config-linux.md, "Seccomp"; runtime.md's container process state).
#include "base/unix_socket.hpp"
#include "runtime/process_security.hpp"
#include "runtime/security_text.hpp"

namespace berth::runtime {

Result<void> send_seccomp_listener(const std::string& listener_path, int fd,
                                   const std::string& process_state_json) {
    auto ctx = cat("send the seccomp notify fd to linux.seccomp.listenerPath ",
                   quoted(listener_path));
    // The state must not be empty: the agent needs at least one byte to receive
    // the fd with.
    if (process_state_json.empty()) return fail(ctx + ": empty process state");
    auto sock = BERTH_TRY(with_context(connect_unix(listener_path), ctx));
    return with_context(send_fd(sock.get(), fd, process_state_json), ctx);
}

}  // namespace berth::runtime

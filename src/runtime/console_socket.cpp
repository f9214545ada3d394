// The --console-socket protocol: one stream message whose data is the pty name
// and whose SCM_RIGHTS control message carries the master fd (what runc sends and
// containerd/podman's console receivers expect).
#include "base/unix_socket.hpp"
#include "runtime/terminal.hpp"

namespace berth::runtime {

Result<void> send_console(const std::string& socket_path, int master, const std::string& name) {
    // A zero-byte stream message carries no control data, so the name is required.
    if (name.empty()) return fail("send console: empty pty name");
    std::string ctx = "console socket " + socket_path;
    auto sock = BERTH_TRY(with_context(connect_unix(socket_path), ctx));
    return with_context(send_fd(sock.get(), master, name), ctx);
}

Result<void> attach_new_pty(int console_fd, const std::optional<oci::ConsoleSize>& size) {
    auto pty = BERTH_TRY(open_pty(size));
    BERTH_TRYV_CTX(send_fd(console_fd, pty.master.get(), kPtyMasterName),
                   "process.terminal: send the pty master to the console socket");
    pty.master.reset();
    return become_tty_session(pty.slave.get());
}

}  // namespace berth::runtime

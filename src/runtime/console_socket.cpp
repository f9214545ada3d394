// The --console-socket protocol: one stream message whose data is the pty name
// and whose SCM_RIGHTS control message carries the master fd (what runc sends and
// containerd/podman's console receivers expect).
#include "base/unix_socket.hpp"
#include "runtime/terminal.hpp"

namespace berth::runtime {

Result<void> attach_new_pty(int console_fd, const std::optional<oci::ConsoleSize>& size) {
    auto pty = BERTH_TRY(open_pty(size));
    BERTH_TRYV_CTX(send_fd(console_fd, pty.master.get(), kPtyMasterName),
                   "process.terminal: send the pty master to the console socket");
    pty.master.reset();
    return become_tty_session(pty.slave.get());
}

}  // namespace berth::runtime

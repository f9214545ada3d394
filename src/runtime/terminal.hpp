// Terminals for process.terminal: a pty pair made by the container init, the
// master sent to the caller's --console-socket the way runc sends it, or, for a
// foreground `run`/`exec` with no console socket, proxied to the runtime's stdio.
#pragma once

#include <string>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

struct Pty {
    UniqueFd master;
    UniqueFd slave;
    std::string slave_path;  // "/dev/pts/N"
};

// Opens /dev/ptmx (the one visible to the caller: the container's own devpts when
// called after its /dev/pts is mounted) and the matching slave; sets the size.
Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size);

// Makes `slave` the calling process's controlling terminal and its 0/1/2. The
// caller has called setsid() first. The slave fd itself is left open (and stays
// close-on-exec), so the caller may close it.
Result<void> become_tty_session(int slave);

// The name sent with the master: runc sends the master's os.File name, which is
// the path containerd/console opened it by, "/dev/ptmx". Drivers may log it.
inline constexpr const char* kPtyMasterName = "/dev/ptmx";

// What a container process with process.terminal does: open a pty, send its
// master over the already-connected `console_fd`, and make the slave its
// controlling terminal and stdio. The caller has called setsid() first.
Result<void> attach_new_pty(int console_fd, const std::optional<oci::ConsoleSize>& size);

// Copies stdin -> master and master -> stdout until the master hangs up, with the
// caller's terminal in raw mode (restored on return) and SIGWINCH forwarded as
// window-size changes. For foreground run/exec with terminal=true.
// The master hangs up (EIO) only once no one holds the slave open: the caller must
// have closed every copy of the slave it had. EOF on stdin stops only that
// direction. SIGWINCH is taken through a signalfd, so in a multi-threaded caller
// the other threads must block it. Sets O_NONBLOCK on `master`.
Result<void> proxy_terminal(int master);

}  // namespace berth::runtime

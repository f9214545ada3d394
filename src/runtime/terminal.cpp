#include "runtime/terminal.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "base/file.hpp"

namespace berth::runtime {

namespace {

// TIOCGPTPEER (Linux 4.13) opens the slave through the master's own devpts
// instance, so no path lookup can hand us a different /dev/pts/N (a container's
// /dev may be arranged by its image). Old kernels fall back to the path.
Result<UniqueFd> open_slave(int master, const std::string& path) {
    int fd = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EINVAL && errno != ENOTTY) return sys_fail("open pty slave " + path);
    return open_fd(path, O_RDWR | O_NOCTTY);
}

}  // namespace

Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size) {
    int m = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return sys_fail("open /dev/ptmx");
    Pty pty;
    pty.master = UniqueFd(m);
    if (::grantpt(m) != 0) return sys_fail("grantpt");
    if (::unlockpt(m) != 0) return sys_fail("unlockpt");
    char name[64];
    if (int rc = ::ptsname_r(m, name, sizeof name); rc != 0) return sys_fail("ptsname", rc);
    pty.slave_path = name;
    pty.slave = BERTH_TRY(open_slave(m, pty.slave_path));
    // runc applies consoleSize only when both sides are set; a 0xN window is
    // what an unset size already is.
    if (size && size->height != 0 && size->width != 0) {
        winsize ws{};
        ws.ws_row = static_cast<unsigned short>(size->height);
        ws.ws_col = static_cast<unsigned short>(size->width);
        if (::ioctl(m, TIOCSWINSZ, &ws) != 0) return sys_fail("set size of " + pty.slave_path);
    }
    return pty;
}

Result<void> become_tty_session(int slave) {
    if (::ioctl(slave, TIOCSCTTY, 0) != 0) return sys_fail("make the pty the controlling terminal");
    for (int target : {0, 1, 2}) {
        if (slave != target && ::dup2(slave, target) < 0)
            return sys_fail("dup pty slave to fd " + std::to_string(target));
    }
    return {};
}

}  // namespace berth::runtime

#include "base/pidfd.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace berth {

Result<UniqueFd> pidfd_open(pid_t pid) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return sys_fail("pidfd_open " + std::to_string(pid));
    return UniqueFd(fd);
}

Result<void> pidfd_signal(int pidfd, int sig) {
    if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0)
        return sys_fail("send signal " + std::to_string(sig));
    return {};
}

Result<bool> pidfd_wait_exit(int pidfd, int timeout_ms) {
    pollfd p{pidfd, POLLIN, 0};
    for (;;) {
        int n = ::poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("poll pidfd");
        return n > 0;
    }
}

}  // namespace berth

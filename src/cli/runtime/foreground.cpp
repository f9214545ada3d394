#include "cli/runtime/foreground.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "base/log.hpp"
#include "base/pidfd.hpp"
#include "base/unix_socket.hpp"
#include "runtime/terminal.hpp"

namespace berth::cli {
namespace {

sigset_t forwarded_signals() {
    sigset_t set;
    sigfillset(&set);
    // Not forwarded: our own child bookkeeping, and the ones that stop or break us.
    for (int s : {SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGWINCH})
        sigdelset(&set, s);
    return set;
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

}  // namespace

void block_forwarded_signals() {
    sigset_t set = forwarded_signals();
    // Blocked but not read here: a terminal proxy thread takes it with its signalfd.
    sigaddset(&set, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

Result<LocalConsole> make_local_console() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return sys_fail("socketpair for the console");
    return LocalConsole{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<int> wait_foreground(pid_t pid, int console, const std::function<void()>& after_exit) {
    std::thread proxy;
    if (console >= 0) {
        // Without process.terminal the container closes its end unused.
        auto master = BERTH_TRY(recv_fd(console));
        if (master.fd)
            proxy = std::thread([m = std::move(master.fd)] {
                if (auto r = runtime::proxy_terminal(m.get()); !r) log::warn(r.error().message);
            });
    }
    sigset_t set = forwarded_signals();
    UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC));
    if (!sfd) return sys_fail("signalfd");
    auto pidfd = BERTH_TRY(pidfd_open(pid));
    for (;;) {
        pollfd p[2] = {{sfd.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_fail("poll");
        }
        if (p[0].revents & POLLIN) {
            signalfd_siginfo si{};
            if (::read(sfd.get(), &si, sizeof si) == sizeof si)
                ::kill(pid, static_cast<int>(si.ssi_signo));
        }
        if (p[1].revents & POLLIN) break;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return sys_fail("waitpid");
    }
    if (after_exit) after_exit();
    if (proxy.joinable()) proxy.join();
    return exit_code_of(status);
}

}  // namespace berth::cli

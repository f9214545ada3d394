#include "monitor/process_stdio.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "base/file.hpp"
#include "base/unix_socket.hpp"

namespace berth::monitor {

Result<void> set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return sys_fail("fcntl O_NONBLOCK");
    return {};
}

namespace {

// [read end, write end], both close-on-exec.
Result<std::pair<UniqueFd, UniqueFd>> make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return sys_fail("pipe");
    return std::pair{UniqueFd(p[0]), UniqueFd(p[1])};
}

}  // namespace

Result<ChildStdio> ChildStdio::make(const StdioRequest& r) {
    ChildStdio s;
    s.tty_ = r.tty;
    if (r.tty || !r.stdin_pipe) {
        s.child_[0] = BERTH_TRY(open_fd("/dev/null", O_RDONLY | O_CLOEXEC));
    } else {
        auto [rd, wr] = BERTH_TRY(make_pipe());
        s.child_[0] = std::move(rd);
        s.ends_.stdin_w = std::move(wr);
    }
    if (r.tty) {
        // The process's 1 and 2 are replaced by the pty slave; until then /dev/null.
        s.child_[1] = BERTH_TRY(open_fd("/dev/null", O_WRONLY | O_CLOEXEC));
        s.child_[2] = BERTH_TRY(open_fd("/dev/null", O_WRONLY | O_CLOEXEC));
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return sys_fail("socketpair");
        s.ends_.console = UniqueFd(sv[0]);
        s.theirs_console_ = UniqueFd(sv[1]);
    } else {
        auto [out_r, out_w] = BERTH_TRY(make_pipe());
        auto [err_r, err_w] = BERTH_TRY(make_pipe());
        s.child_[1] = std::move(out_w);
        s.child_[2] = std::move(err_w);
        s.ends_.stdout_r = std::move(out_r);
        s.ends_.stderr_r = std::move(err_r);
    }
    return s;
}

// The monitor ignores these; a container process must start with them at their
// defaults, and ignored signals would survive its execve.
constexpr int kIgnoredByMonitor[] = {SIGPIPE, SIGHUP, SIGINT};

Result<void> ChildStdio::install() {
    for (int sig : kIgnoredByMonitor) ::signal(sig, SIG_DFL);
    installed_ = true;
    for (int fd = 0; fd < 3; ++fd) {
        saved_[fd] = UniqueFd(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (!saved_[fd]) return sys_fail("save stdio");
    }
    for (int fd = 0; fd < 3; ++fd)
        if (::dup2(child_[fd].get(), fd) < 0) return sys_fail("dup2 container stdio");
    return {};
}

void ChildStdio::restore() {
    if (installed_)
        for (int sig : kIgnoredByMonitor) ::signal(sig, SIG_IGN);
    installed_ = false;
    for (int fd = 0; fd < 3; ++fd) {
        if (!saved_[fd]) continue;
        ::dup2(saved_[fd].get(), fd);
        saved_[fd].reset();
    }
}

Result<StdioEnds> ChildStdio::finish() {
    restore();
    for (auto& fd : child_) fd.reset();
    theirs_console_.reset();
    if (tty_) {
        // Sent before create/exec returned, so it is queued: don't wait for it.
        auto got = BERTH_TRY(with_context(recv_fd(ends_.console.get()), "receive the pty master"));
        if (!got.fd) return fail("no pty master received: is process.terminal false?");
        ends_.master = std::move(got.fd);
        ends_.console.reset();
        BERTH_TRYV(set_nonblocking(ends_.master.get()));
    }
    for (auto* fd : {&ends_.stdin_w, &ends_.stdout_r, &ends_.stderr_r})
        if (*fd) BERTH_TRYV(set_nonblocking(fd->get()));
    return std::move(ends_);
}

}  // namespace berth::monitor

// Foreground run/exec with terminal=true and no console socket: the runtime sits
// between its own stdio and the pty master, like a tiny terminal emulator.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <string_view>

#include "runtime/terminal.hpp"

namespace berth::runtime {

namespace {

// Our terminal in raw mode for the life of the proxy: keystrokes (^C included) go
// to the container's line discipline untouched, and are echoed by it, not by us.
class RawMode {
  public:
    explicit RawMode(int fd) : fd_(fd) {
        if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    ~RawMode() {
        if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
    }

  private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// SIGWINCH blocked and readable from a signalfd; the old mask comes back on exit.
class WinchFd {
  public:
    WinchFd() {
        sigset_t winch;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        if (::pthread_sigmask(SIG_BLOCK, &winch, &old_) != 0) return;
        blocked_ = true;
        fd_.reset(::signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK));
    }
    WinchFd(const WinchFd&) = delete;
    WinchFd& operator=(const WinchFd&) = delete;
    ~WinchFd() {
        if (blocked_) ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    int get() const { return fd_.get(); }
    void drain() {
        signalfd_siginfo info;
        while (::read(fd_.get(), &info, sizeof info) == sizeof info) {
        }
    }

  private:
    UniqueFd fd_;
    sigset_t old_{};
    bool blocked_ = false;
};

// The container sees the size of the terminal we print to.
void copy_window_size(int from, int to) {
    winsize ws{};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// One direction of the copy. At most one chunk is in flight: we read only when
// the last one is fully written, so a slow reader slows the writer and no buffer
// grows. Writes go out only after poll says the target can take them, so our own
// (possibly shared, hence left blocking) stdio never blocks the other direction.
struct Stream {
    int from;
    int to;
    char buf[4096];
    std::size_t len = 0, off = 0;
    bool open = true;

    bool has_pending() const { return off < len; }
    // False at end of input (EOF or an error such as EIO from a hung-up master).
    bool fill() {
        ssize_t n;
        do n = ::read(from, buf, sizeof buf);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN) return true;
        if (n <= 0) return false;
        len = static_cast<std::size_t>(n);
        off = 0;
        return true;
    }
    // False when the target is gone; the pending bytes are dropped.
    bool flush_some() {
        ssize_t n;
        do n = ::write(to, buf + off, len - off);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN) return true;
        if (n < 0) {
            off = len;
            return false;
        }
        off += static_cast<std::size_t>(n);
        return true;
    }
};

// Writes what is left of the container's output once the master has hung up.
void flush_rest(Stream& s) {
    while (s.has_pending()) {
        pollfd p{s.to, POLLOUT, 0};
        if (::poll(&p, 1, -1) < 0 && errno != EINTR) return;
        if (!s.flush_some()) return;
    }
}

}  // namespace

Result<void> proxy_terminal(int master) {
    int flags = ::fcntl(master, F_GETFL);
    if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0)
        return sys_fail("pty master: set O_NONBLOCK");
    WinchFd winch;
    if (winch.get() < 0) return sys_fail("signalfd SIGWINCH");
    RawMode raw(STDIN_FILENO);
    copy_window_size(STDOUT_FILENO, master);

    Stream in{STDIN_FILENO, master, {}};
    Stream out{master, STDOUT_FILENO, {}};
    bool stdout_gone = false;
    for (;;) {
        // Each stream waits either for input (buffer empty) or for its target.
        pollfd fds[3] = {
            {winch.get(), POLLIN, 0},
            {in.has_pending() ? in.to : (in.open ? in.from : -1),
             static_cast<short>(in.has_pending() ? POLLOUT : POLLIN), 0},
            {out.has_pending() ? out.to : out.from,
             static_cast<short>(out.has_pending() ? POLLOUT : POLLIN), 0},
        };
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_fail("poll pty master");
        }
        if (fds[0].revents) {
            winch.drain();
            copy_window_size(STDOUT_FILENO, master);
        }
        if (fds[1].revents) {
            if (in.has_pending()) {
                // The master only fails to take input once the container is gone;
                // the output side notices that and ends the proxy.
                if (!in.flush_some()) in.open = false;
            } else if (!in.fill()) {
                in.open = false;  // EOF on our stdin: the container keeps running
            }
        }
        if (fds[2].revents) {
            if (out.has_pending()) {
                // Our stdout is gone: keep draining the master, so the container
                // never blocks on a full pty, and drop what it prints.
                if (!out.flush_some()) stdout_gone = true;
            } else if (!out.fill()) {
                break;  // EIO: the last holder of the slave closed it
            }
            if (stdout_gone) out.off = out.len;
        }
    }
    flush_rest(out);
    return {};
}

}  // namespace berth::runtime

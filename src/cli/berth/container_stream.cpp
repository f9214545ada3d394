#include "cli/berth/container_stream.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/strings.hpp"

namespace berth::cli {

Result<void> StdcopyDemux::feed(std::string_view data) {
    pending_.append(data);
    size_t pos = 0;
    while (pending_.size() - pos >= 8) {
        auto byte = [&](size_t i) {
            return static_cast<std::uint32_t>(static_cast<unsigned char>(pending_[pos + i]));
        };
        std::uint32_t size = byte(4) << 24 | byte(5) << 16 | byte(6) << 8 | byte(7);
        if (pending_.size() - pos - 8 < size) break;
        std::string_view payload = std::string_view(pending_).substr(pos + 8, size);
        switch (byte(0)) {
            case 0:
            case 1:
                BERTH_TRYV(out_.write(payload));
                break;
            case 2:
                BERTH_TRYV(err_.write(payload));
                break;
            case 3:
                return fail(std::string(payload));
            default:
                return fail("unrecognized input header: " + std::to_string(byte(0)));
        }
        pos += 8 + size;
    }
    pending_.erase(0, pos);
    return {};
}

Result<std::string> parse_detach_keys(std::string_view keys) {
    std::string out;
    for (const auto& raw : split(keys, ',')) {
        std::string key(raw);
        if (key.size() == 1) {
            out += key;
            continue;
        }
        if (key.starts_with("ctrl-") && key.size() == 6) {
            char c = key[5];
            if (c >= 'a' && c <= 'z')
                out += static_cast<char>(c - 'a' + 1);
            else if (c >= '@' && c <= '_')
                out += static_cast<char>(c - '@');
            else
                return fail("Unknown character: '" + key + "'");
            continue;
        }
        return fail("Unknown character: '" + key + "'");
    }
    if (out.empty()) return fail("Invalid escape sequence");
    return out;
}

Result<std::optional<RawTerminal>> RawTerminal::enable(int fd) {
    if (!isatty(fd)) return std::optional<RawTerminal>();
    termios saved{};
    if (tcgetattr(fd, &saved) != 0) return sys_fail("tcgetattr");
    termios raw = saved;
    cfmakeraw(
        &raw);  // output processing too, as moby/term's MakeRaw: the container's tty makes the CRs
    if (tcsetattr(fd, TCSANOW, &raw) != 0) return sys_fail("tcsetattr");
    return std::optional<RawTerminal>(RawTerminal(fd, saved));
}

RawTerminal::~RawTerminal() {
    if (fd_ >= 0) (void)tcsetattr(fd_, TCSANOW, &saved_);  // best effort: nothing left to tell
}

Result<SignalWatch> SignalWatch::watch(const std::vector<int>& signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    SignalWatch w;
    if (int rc = pthread_sigmask(SIG_BLOCK, &set, &w.old_); rc != 0)
        return sys_fail("block signals", rc);
    w.restore_ = true;
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) return sys_fail("signalfd");
    w.fd_ = UniqueFd(fd);
    return w;
}

SignalWatch::~SignalWatch() {
    if (restore_) (void)pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

std::vector<int> SignalWatch::take() {
    std::vector<int> got;
    signalfd_siginfo info{};
    while (read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        got.push_back(static_cast<int>(info.ssi_signo));
    return got;
}

std::optional<std::pair<int, int>> terminal_size(int fd) {
    winsize ws{};
    if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0) return std::nullopt;
    return std::pair{static_cast<int>(ws.ws_row), static_cast<int>(ws.ws_col)};
}

namespace {

// Watches stdin for the detach sequence; bytes that might start it are held back
// until the next byte tells.
class DetachMatcher {
  public:
    explicit DetachMatcher(std::string sequence) : sequence_(std::move(sequence)) {}
    // The bytes to send for `input`; sets `detached` when the sequence completed.
    std::string filter(std::string_view input, bool& detached) {
        if (sequence_.empty()) return std::string(input);
        std::string out;
        for (char c : input) {
            if (c == sequence_[held_.size()]) {
                held_ += c;
                if (held_.size() == sequence_.size()) {
                    detached = true;
                    return out;
                }
                continue;
            }
            out += held_;
            held_.clear();
            if (c == sequence_[0])
                held_ += c;
            else
                out += c;
        }
        return out;
    }

  private:
    std::string sequence_;
    std::string held_;
};

Result<void> send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("write to the container's stdin");
        data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

}  // namespace

Result<PumpEnd> pump_streams(int socket, std::string buffered, const Io& io,
                             const PumpOptions& options) {
    FdWriter out(io.out), err(io.err);
    StdcopyDemux demux(out, err);
    auto output = [&](std::string_view data) -> Result<void> {
        if (options.tty) return out.write(data);
        return demux.feed(data);
    };
    if (!buffered.empty()) BERTH_TRYV(output(buffered));
    bool stdin_open = options.send_stdin;
    DetachMatcher matcher(options.detach_sequence);
    char buf[32 * 1024];
    for (;;) {
        pollfd fds[3] = {{socket, POLLIN, 0},
                         {stdin_open ? io.in : -1, POLLIN, 0},
                         {options.signals ? options.signals->fd() : -1, POLLIN, 0}};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_fail("poll");
        }
        if (fds[2].revents & POLLIN)
            for (int s : options.signals->take())
                if (options.on_signal) options.on_signal(s);
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(io.in, buf, sizeof buf);
            if (n < 0 && errno != EINTR && errno != EAGAIN) return sys_fail("read stdin");
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                stdin_open = false;
                (void)shutdown(socket, SHUT_WR);  // the container sees the end of its stdin
            } else if (n > 0) {
                bool detached = false;
                std::string data =
                    matcher.filter(std::string_view(buf, static_cast<size_t>(n)), detached);
                BERTH_TRYV(send_all(socket, data));
                if (detached) return PumpEnd::detached;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(socket, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == ECONNRESET) return PumpEnd::closed;
            if (n < 0) return sys_fail("read the container's output");
            if (n == 0) return PumpEnd::closed;
            BERTH_TRYV(output(std::string_view(buf, static_cast<size_t>(n))));
        }
    }
}

}  // namespace berth::cli

// The terminal side of attach, run and exec: docker's multiplexed stream format,
// copying between our stdio and a hijacked socket, raw terminal mode and the
// signals the CLI forwards.
#pragma once

#include <termios.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "base/unique_fd.hpp"
#include "cli/berth/command.hpp"

namespace berth::cli {

// Splits docker's stdcopy frames (1 byte stream, 3 zero bytes, big-endian uint32
// length, payload) to stdout (streams 0 and 1) and stderr (2) as bytes arrive in
// any chunking. A stream-3 frame is the daemon's error: feed fails with its text.
class StdcopyDemux {
  public:
    StdcopyDemux(ByteWriter& out, ByteWriter& err) : out_(out), err_(err) {}
    Result<void> feed(std::string_view data);
    // Whether the input ended on a frame boundary.
    bool idle() const { return pending_.empty(); }

  private:
    ByteWriter& out_;
    ByteWriter& err_;
    std::string pending_;
};

// docker's --detach-keys syntax: "ctrl-p,ctrl-q" -> "\x10\x11"; "a-z" letters,
// "ctrl-@", "ctrl-[" ... "ctrl-_". Error: "Unknown character: 'x'" / "Invalid
// escape sequence".
Result<std::string> parse_detach_keys(std::string_view keys);

// The local terminal in raw mode until destroyed (every exit path restores it).
class RawTerminal {
  public:
    // Raw mode for `fd` if it is a terminal; nullopt otherwise.
    static Result<std::optional<RawTerminal>> enable(int fd);
    RawTerminal(RawTerminal&& o) noexcept : fd_(o.fd_), saved_(o.saved_) { o.fd_ = -1; }
    RawTerminal& operator=(RawTerminal&&) = delete;
    ~RawTerminal();

  private:
    RawTerminal(int fd, const termios& saved) : fd_(fd), saved_(saved) {}
    int fd_;
    termios saved_;
};

// Blocks `signals` while alive and reads them from a signalfd; the old mask comes
// back on destruction.
class SignalWatch {
  public:
    static Result<SignalWatch> watch(const std::vector<int>& signals);
    SignalWatch(SignalWatch&& o) noexcept
        : fd_(std::move(o.fd_)), old_(o.old_), restore_(std::exchange(o.restore_, false)) {}
    SignalWatch& operator=(SignalWatch&&) = delete;
    ~SignalWatch();
    int fd() const { return fd_.get(); }
    // The signals that arrived since the last call (non-blocking).
    std::vector<int> take();

  private:
    SignalWatch() = default;
    UniqueFd fd_;
    sigset_t old_{};
    bool restore_ = false;
};

struct PumpOptions {
    bool tty = false;             // raw stream (no stdcopy frames)
    bool send_stdin = false;      // copy our stdin to the socket, SHUT_WR at its end
    std::string detach_sequence;  // bytes of the detach keys to watch for in stdin ("" none)
    SignalWatch* signals = nullptr;
    std::function<void(int)> on_signal;  // called for each signal from `signals`
};

enum class PumpEnd { closed, detached };

// Copies the container's output from `socket` (`buffered` first) to io.out/io.err
// and, with send_stdin, io.in to the socket, until the daemon closes the output.
Result<PumpEnd> pump_streams(int socket, std::string buffered, const Io& io,
                             const PumpOptions& options);

// The terminal size of `fd`: (rows, cols), or nullopt when it is not a terminal.
std::optional<std::pair<int, int>> terminal_size(int fd);

}  // namespace berth::cli

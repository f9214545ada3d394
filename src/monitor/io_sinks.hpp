// Small non-blocking I/O pieces of the monitor's loop: a process's stdin fed
// from clients, and a client's outgoing bytes, both bounded.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace berth::monitor {

// Where client bytes go into a process: a pipe's write end or a pty master
// (borrowed: the master is also the output).
class StdinSink {
  public:
    static constexpr std::size_t kMaxPending = 64 * 1024;

    void set_pipe(UniqueFd fd) { owned_ = std::move(fd); }
    void set_borrowed(int fd) { borrowed_ = fd; }
    int fd() const { return owned_ ? owned_.get() : borrowed_; }
    bool open() const { return fd() >= 0; }
    bool has_room() const { return open() && !closing_ && pending_.size() < kMaxPending; }
    bool wants_pollout() const { return open() && !pending_.empty(); }

    void push(std::string_view data);
    // Writes what it can without blocking; closes a pipe once drained if asked to.
    void flush();
    // EOF for the process once what is pending got written (a pipe; a pty stays).
    void close_when_flushed();
    void drop() {
        owned_.reset();
        borrowed_ = -1;
        pending_.clear();
    }

  private:
    UniqueFd owned_;
    int borrowed_ = -1;
    std::string pending_;
    bool closing_ = false;
};

// Sends to a socket without blocking (MSG_NOSIGNAL). False: the peer is gone.
bool send_pending(int fd, std::string& pending);

}  // namespace berth::monitor

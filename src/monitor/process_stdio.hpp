// The stdio the monitor gives a container process (its init or an exec): pipes,
// /dev/null, or a pty whose master the process sends back over a socketpair (the
// runtime's --console-socket protocol). The runtime's create/exec children
// inherit the caller's fds 0-2, so the child ends are put there for the call.
#pragma once

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::monitor {

struct StdioRequest {
    bool tty = false;
    bool stdin_pipe = false;  // else /dev/null (ignored for tty)
};

// The monitor's ends. For tty, `master` (after receive_master) carries both ways.
struct StdioEnds {
    UniqueFd stdin_w;
    UniqueFd stdout_r;
    UniqueFd stderr_r;
    UniqueFd console;  // our end of the console socketpair (tty)
    UniqueFd master;   // the pty master (tty)
};

class ChildStdio {
  public:
    static Result<ChildStdio> make(const StdioRequest& r);

    // Installs the child ends as fds 0-2 of this process until restore() or
    // destruction (our own 0-2 are kept aside meanwhile), and the default
    // dispositions of the signals the monitor ignores (a child inherits them).
    Result<void> install();
    void restore();
    ~ChildStdio() { restore(); }
    ChildStdio(ChildStdio&&) = default;
    ChildStdio& operator=(ChildStdio&&) = delete;

    // The fd to pass as console_fd (-1 without a tty).
    int console_fd() const { return theirs_console_.get(); }
    // After create/exec: drops the child ends and, for a tty, takes the master
    // the process sent (it was sent before create/exec returned).
    Result<StdioEnds> finish();

  private:
    ChildStdio() = default;
    bool tty_ = false;
    bool installed_ = false;
    UniqueFd child_[3];  // what becomes the child's 0, 1, 2
    UniqueFd theirs_console_;
    UniqueFd saved_[3];
    StdioEnds ends_;
};

// O_NONBLOCK on.
Result<void> set_nonblocking(int fd);

}  // namespace berth::monitor

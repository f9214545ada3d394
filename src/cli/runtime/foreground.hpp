// Running a container process in the foreground: signals sent to berth-runtime are
// forwarded to it, a local terminal is proxied, and its exit becomes our exit code
// (128+n for a signal).
#pragma once

#include <sys/types.h>

#include <functional>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::cli {

// Blocks the signals we forward, so none is lost between fork and the wait loop.
// Call before creating the process; the container side unblocks its copy.
void block_forwarded_signals();

// A socketpair whose one end the container sends its pty master to; the other end
// stays here to receive it.
struct LocalConsole {
    UniqueFd ours, theirs;
};
Result<LocalConsole> make_local_console();

// Waits for `pid` (our child) forwarding signals; if `console` is valid, first
// receives the pty master from it and proxies it to our stdio. `after_exit` runs
// once `pid` has exited and before the proxy is joined: a background process that
// still holds the pty would otherwise keep the proxy (and us) alive. Returns the
// exit code.
Result<int> wait_foreground(pid_t pid, int console, const std::function<void()>& after_exit = {});

}  // namespace berth::cli

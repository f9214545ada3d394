// Process handles that can't be fooled by pid reuse (pidfd_open, Linux 5.3+), and
// waiting for any process's exit with poll, child or not.
#pragma once

#include <sys/types.h>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth {

Result<UniqueFd> pidfd_open(pid_t pid);
Result<void> pidfd_signal(int pidfd, int sig);
// True when the process exited within `timeout_ms` (-1: wait forever).
Result<bool> pidfd_wait_exit(int pidfd, int timeout_ms);

}  // namespace berth

// Running a helper program to completion: hooks, and later the daemon's helpers.
// The child gets exactly the argv/env given, `stdin_data` on a pipe, its stdout and
// stderr captured (bounded), no other inherited fds, default signal handling; it
// is killed with SIGKILL when it outlives `timeout`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace berth {

struct ProgramSpec {
    std::string path;                                  // executed as is: no $PATH search
    std::vector<std::string> argv;                     // argv[0] included; empty means {path}
    std::vector<std::string> env;                      // "K=V"; empty means an empty environment
    std::string stdin_data;                            // written to the child's stdin, then EOF
    std::optional<std::chrono::milliseconds> timeout;  // none: wait for ever
    std::size_t output_limit = 4096;                   // bytes kept of stdout and of stderr each
};

struct ProgramResult {
    enum class End { exited, signaled, timed_out };
    End end = End::exited;
    int code = 0;             // exit status (exited) or signal number (signaled)
    std::string stdout_text;  // first output_limit bytes
    std::string stderr_text;  // first output_limit bytes

    bool ok() const { return end == End::exited && code == 0; }
    // "exited with status 3", "killed by signal SIGTERM", "timed out after 5s".
    std::string describe_end(const ProgramSpec& spec) const;
};

// Spawns `spec.path` and waits for it. An error means it could not be started
// ("exec: No such file or directory") or waiting failed; a program that ran and
// failed is a successful Result whose ok() is false.
Result<ProgramResult> run_program(const ProgramSpec& spec);

}  // namespace berth

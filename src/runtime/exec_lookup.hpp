// Finding and starting the user's program the way a shell (and runc) does: a
// name without '/' is searched in the container's PATH.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"

namespace berth::runtime {

// Resolves args[0] against PATH taken from `env` (a default PATH when unset).
// Errors read like runc's: exec: "foo": executable file not found in $PATH.
// `not_found` is set so callers can pick exit code 127 (vs 126).
Result<std::string> find_executable(const std::string& name, const std::vector<std::string>& env,
                                    bool* not_found);

// Adds HOME from the container's /etc/passwd when env lacks it (as runc does).
std::vector<std::string> with_home(std::vector<std::string> env, unsigned uid);

// fds 3..3+n-1 survive execve; every other inherited fd above 2 is marked CLOEXEC.
Result<void> mark_inherited_fds(int preserve_fds);

// execve; returns only on failure with the error.
Result<void> exec_process(const std::vector<std::string>& args, const std::vector<std::string>& env,
                          int* exit_code_on_failure);

}  // namespace berth::runtime

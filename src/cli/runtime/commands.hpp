// The berth-runtime subcommands. Each takes the parsed global options and its own
// argv slice and returns the process exit code (runc's: 0, 1 on error; `run` and
// foreground `exec` pass the process's own code through).
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"

namespace berth::cli {

struct Globals {
    std::string root = "/run/berth-runtime";
};

using Argv = std::vector<std::string>;

Result<int> cmd_create(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_run(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_start(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_state(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_list(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_kill(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_delete(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_pause(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_resume(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_ps(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_exec(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_features(const Globals& g, const Argv& argv, size_t begin);
Result<int> cmd_spec(const Globals& g, const Argv& argv, size_t begin);

// Exactly one positional argument, the container id ("requires exactly 1 argument").
Result<std::string> one_id(const std::vector<std::string>& positional, const char* command);

}  // namespace berth::cli

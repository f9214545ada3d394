// GET /containers/{id}/top: as dockerd does, run the host's ps with the client's
// arguments and keep the rows of the container's processes.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::engine {

// Refuses ps arguments that rename a column to one starting with "PID"
// ("-o user=PID..."), which would make the PID column ambiguous.
Result<void> validate_ps_args(std::string_view ps_args);

// {"Titles": [...], "Processes": [[...], ...]} from ps output: the first line gives
// the titles, which must include "PID"; a row is kept when its PID is in `pids`,
// and a thread row ("-" as PID, from ps -m/-L) when the row above was kept. The
// last column takes the rest of the line (a command with spaces).
Result<Json> parse_ps_output(std::string_view output, const std::vector<pid_t>& pids);

// Runs /bin/ps with `ps_args` ("" means "-ef"; split on spaces as docker does)
// and filters its output to `pids`.
Result<Json> run_top(std::string_view ps_args, const std::vector<pid_t>& pids);

}  // namespace berth::engine

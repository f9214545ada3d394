// Lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks"): each hook is run
// with the container state JSON on stdin, its args and env, and killed if it
// outlives its timeout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// Runs `hooks` in order; the first one that fails (non-zero exit, signal, timeout,
// exec failure) stops the run and is named in the error with `phase` and its index
// counted from 0 as runc does ("prestart hook #0 (/usr/bin/x): exited with status
// 3: <its stderr>"). Each hook gets `state_json` on stdin (config.md: "the state of
// the container"), exactly its args and env, and SIGKILL after `timeout` seconds.
// Hook stdout/stderr are captured, never mixed into the runtime's own output.
Result<void> run_hooks(const std::vector<oci::Hook>& hooks, std::string_view phase,
                       const std::string& state_json);

}  // namespace berth::runtime

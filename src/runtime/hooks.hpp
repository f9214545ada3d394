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
// exec failure) stops the run and is named in the error with `phase`
// ("prestart hook #1 (/usr/bin/x): exited with status 3: <its stderr>").
Result<void> run_hooks(const std::vector<oci::Hook>& hooks, std::string_view phase,
                       const std::string& state_json);

}  // namespace berth::runtime

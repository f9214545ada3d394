// The config.json `berth-runtime spec` writes: runc's default spec in content
// (busybox-friendly "sh" process, the standard mounts, masked and read-only paths,
// the default capability set), optionally rootless.
#pragma once

#include "base/json.hpp"

namespace berth::oci {

Json default_spec(bool rootless);

}  // namespace berth::oci

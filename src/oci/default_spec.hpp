// The config.json `berth-runtime spec` writes: runc's default spec in content
// (busybox-friendly "sh" process, the standard mounts, masked and read-only paths,
// the default capability set), optionally rootless.
#pragma once

#include "base/json.hpp"
#include "oci/config.hpp"

namespace berth::oci {

// The default spec as JSON, ready to write out (to_json(default_config(rootless))).
Json default_spec(bool rootless);

// The same as a Config. Rootless adds a user namespace mapping the calling user
// (geteuid/getegid) to root, drops the network and cgroup namespaces and the
// cgroup device rules, bind-mounts the host's /sys (sysfs can't be mounted without
// owning a network namespace) and removes gid=/uid= mount options (ids that
// aren't mapped).
Config default_config(bool rootless);

}  // namespace berth::oci

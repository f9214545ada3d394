// Which linux.sysctl keys a container may set: only those the kernel scopes to a
// namespace the container has (ipc, net, uts). Anything else would change the
// host for everyone, so it is refused before the container is made, as runc does.
#pragma once

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

Result<void> check_sysctl_policy(const oci::Linux& l);

}  // namespace berth::runtime

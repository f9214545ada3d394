// process.apparmorProfile and process.selinuxLabel: applied to the next execve
// when the host runs that security module, ignored with a warning when it does
// not (a config written for a host with AppArmor still runs here).
#pragma once

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// Call in the process about to execve, before capabilities are dropped.
Result<void> apply_lsm_labels(const oci::Process& p);

}  // namespace berth::runtime

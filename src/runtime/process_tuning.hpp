// Per-process kernel settings from config.json's process object that need
// privilege to set: oom_score_adj, scheduler, I/O priority. Internal to
// process_security, which applies them while the process still has every
// capability.
#pragma once

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// Writes /proc/self/oom_score_adj (lowering it needs CAP_SYS_RESOURCE).
Result<void> set_oom_score_adj(int value);
// sched_setattr(2) for process.scheduler (real-time policies need CAP_SYS_NICE).
Result<void> set_scheduler(const oci::Scheduler& s);
// ioprio_set(2) for process.ioPriority (IOPRIO_CLASS_RT needs CAP_SYS_ADMIN or
// CAP_SYS_NICE).
Result<void> set_io_priority(const oci::IoPriority& p);

}  // namespace berth::runtime

#include "runtime/process_tuning.hpp"

#include <linux/ioprio.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "base/file.hpp"
#include "runtime/process_security.hpp"
#include "base/text.hpp"

namespace berth::runtime {
namespace {

constexpr std::array<std::pair<std::string_view, uint32_t>, 6> policy_table = {{
    {"SCHED_OTHER", SCHED_NORMAL},
    {"SCHED_FIFO", SCHED_FIFO},
    {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},
    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
}};

constexpr std::array<std::pair<std::string_view, uint64_t>, 7> flag_table = {{
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
}};

constexpr std::array<std::pair<std::string_view, int>, 3> io_class_table = {{
    {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
}};

template <typename T, size_t N>
std::optional<T> look_up(const std::array<std::pair<std::string_view, T>, N>& table,
                         std::string_view name) {
    for (auto& [n, v] : table)
        if (n == name) return v;
    return std::nullopt;
}

}  // namespace

Result<void> set_oom_score_adj(int value) {
    return with_context(write_existing("/proc/self/oom_score_adj", std::to_string(value)),
                        "set process.oomScoreAdj");
}

Result<void> set_scheduler(const oci::Scheduler& s) {
    auto policy = look_up(policy_table, s.policy);
    if (!policy) return fail(cat("process.scheduler.policy: unknown policy ", quoted(s.policy)));
    sched_attr attr{};
    attr.size = sizeof attr;
    attr.sched_policy = *policy;
    attr.sched_nice = s.nice.value_or(0);
    attr.sched_priority = static_cast<uint32_t>(s.priority.value_or(0));
    attr.sched_runtime = s.runtime.value_or(0);
    attr.sched_deadline = s.deadline.value_or(0);
    attr.sched_period = s.period.value_or(0);
    for (size_t i = 0; i < s.flags.size(); ++i) {
        auto flag = look_up(flag_table, s.flags[i]);
        if (!flag)
            return fail(cat("process.scheduler.flags[", i, "]: unknown flag ", quoted(s.flags[i])));
        attr.sched_flags |= *flag;
    }
    // glibc has no wrapper for sched_setattr.
    if (::syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
        return sys_fail(cat("set process.scheduler (sched_setattr ", s.policy, ")"));
    return {};
}

Result<void> set_io_priority(const oci::IoPriority& p) {
    auto klass = look_up(io_class_table, p.klass);
    if (!klass) return fail(cat("process.ioPriority.class: unknown class ", quoted(p.klass)));
    if (p.priority < 0 || p.priority > 7)
        return fail(cat("process.ioPriority.priority: ", p.priority, " is out of range (0 to 7)"));
    // glibc has no wrapper for ioprio_set either.
    if (::syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(*klass, p.priority)) !=
        0)
        return sys_fail(cat("set process.ioPriority (", p.klass, " ", p.priority, ")"));
    return {};
}

Result<void> apply_personality(const oci::Personality& p) {
    unsigned long persona;
    if (p.domain == "LINUX")
        persona = PER_LINUX;
    else if (p.domain == "LINUX32")
        persona = PER_LINUX32;
    else
        return fail(cat("linux.personality.domain: unknown domain ", quoted(p.domain)));
    if (!p.flags.empty())
        return fail(cat("linux.personality.flags[0]: unknown flag ", quoted(p.flags[0])));
    if (::personality(persona) < 0) return sys_fail(cat("personality(", p.domain, ")"));
    return {};
}

}  // namespace berth::runtime

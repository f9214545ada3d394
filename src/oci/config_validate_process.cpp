// Checks on "process" beyond JSON types (config.md, "Process"): what the runtime
// would otherwise only discover half-way through creating the container.
#include <algorithm>
#include <climits>
#include <set>

#include "oci/config_parse.hpp"
#include "oci/config_validate_internal.hpp"
#include "runtime/process_security.hpp"

namespace berth::oci {

using detail::check_absolute;
using detail::field_error;
using detail::in_quotes;

namespace {

Result<void> check_console_size(const Process& p) {
    if (!p.console_size) return {};
    // struct winsize holds unsigned shorts; the spec says consoleSize is ignored
    // without a terminal, but a 0x0 terminal is a mistake worth reporting.
    auto& s = *p.console_size;
    if (s.height > USHRT_MAX || s.width > USHRT_MAX)
        return field_error("process.consoleSize", "height and width must be at most 65535, got " +
                                                      std::to_string(s.height) + "x" +
                                                      std::to_string(s.width));
    if (p.terminal && (s.height == 0 || s.width == 0))
        return field_error("process.consoleSize",
                           "height and width must be non-zero with a terminal");
    return {};
}

Result<void> check_capability_set(std::string_view set, const std::vector<std::string>& names) {
    for (size_t i = 0; i < names.size(); ++i)
        if (!runtime::is_known_capability(names[i]))
            return field_error(
                "process.capabilities." + std::string(set) + "[" + std::to_string(i) + "]",
                "unknown capability " + in_quotes(names[i]));
    return {};
}

Result<void> check_capabilities(const Process& p) {
    if (!p.capabilities) return {};
    auto& c = *p.capabilities;
    BERTH_TRYV(check_capability_set("bounding", c.bounding));
    BERTH_TRYV(check_capability_set("effective", c.effective));
    BERTH_TRYV(check_capability_set("inheritable", c.inheritable));
    BERTH_TRYV(check_capability_set("permitted", c.permitted));
    BERTH_TRYV(check_capability_set("ambient", c.ambient));
    return {};
}

Result<void> check_rlimits(const Process& p) {
    std::set<std::string> seen;
    for (size_t i = 0; i < p.rlimits.size(); ++i) {
        auto& r = p.rlimits[i];
        std::string path = "process.rlimits[" + std::to_string(i) + "]";
        if (r.type.empty()) return field_error(path + ".type", "required");
        if (!runtime::is_known_rlimit(r.type))
            return field_error(path + ".type", "unknown rlimit " + in_quotes(r.type));
        // config.md: "the runtime MUST generate an error for any duplicated type".
        if (!seen.insert(r.type).second)
            return field_error(path + ".type", "duplicate rlimit " + in_quotes(r.type));
        // setrlimit(2) fails with EINVAL when soft > hard; say so before we start.
        if (r.soft > r.hard)
            return field_error(path, "soft limit " + std::to_string(r.soft) +
                                         " exceeds hard limit " + std::to_string(r.hard));
    }
    return {};
}

Result<void> check_io_priority(const Process& p) {
    if (!p.io_priority) return {};
    static constexpr std::string_view kClasses[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                    "IOPRIO_CLASS_IDLE"};
    auto& io = *p.io_priority;
    if (std::ranges::find(kClasses, io.klass) == std::end(kClasses))
        return field_error("process.ioPriority.class", "unknown class " + in_quotes(io.klass));
    // ioprio_set(2): levels 0 (highest) to 7 within a class.
    if (io.priority < 0 || io.priority > 7)
        return field_error("process.ioPriority.priority",
                           "must be in [0, 7], got " + std::to_string(io.priority));
    return {};
}

Result<void> check_scheduler(const Process& p) {
    if (!p.scheduler) return {};
    static constexpr std::string_view kPolicies[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
                                                     "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
                                                     "SCHED_DEADLINE"};
    if (std::ranges::find(kPolicies, p.scheduler->policy) == std::end(kPolicies))
        return field_error("process.scheduler.policy",
                           "unknown policy " + in_quotes(p.scheduler->policy));
    return {};
}

}  // namespace

Result<void> validate_process(const Process& p) {
    if (p.args.empty()) return field_error("process.args", "must not be empty");
    BERTH_TRYV(check_absolute("process.cwd", p.cwd));
    BERTH_TRYV(check_console_size(p));
    BERTH_TRYV(check_capabilities(p));
    BERTH_TRYV(check_rlimits(p));
    // proc(5) /proc/pid/oom_score_adj: -1000 to +1000.
    if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
        return field_error("process.oomScoreAdj",
                           "must be in [-1000, 1000], got " + std::to_string(*p.oom_score_adj));
    BERTH_TRYV(check_io_priority(p));
    BERTH_TRYV(check_scheduler(p));
    return {};
}

}  // namespace berth::oci

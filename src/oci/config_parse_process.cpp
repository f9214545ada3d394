// config.json "process" (config.md, "Process"; Linux and POSIX fields, plus the
// Windows-only commandLine and username which are kept for round trips).
#include "oci/config_parse_internal.hpp"

namespace berth::oci::detail {

namespace {

Result<ConsoleSize> parse_console_size(const JsonNode& n) {
    ConsoleSize s;
    BERTH_TRYV(get(n, "height", s.height));
    BERTH_TRYV(get(n, "width", s.width));
    return s;
}

Result<User> parse_user(const JsonNode& n) {
    User u;
    BERTH_TRYV(get(n, "uid", u.uid));
    BERTH_TRYV(get(n, "gid", u.gid));
    BERTH_TRYV(get(n, "umask", u.umask));
    BERTH_TRYV(get(n, "additionalGids", u.additional_gids));
    BERTH_TRYV(get(n, "username", u.username));
    return u;
}

Result<Capabilities> parse_capabilities(const JsonNode& n) {
    Capabilities c;
    BERTH_TRYV(get(n, "bounding", c.bounding));
    BERTH_TRYV(get(n, "effective", c.effective));
    BERTH_TRYV(get(n, "inheritable", c.inheritable));
    BERTH_TRYV(get(n, "permitted", c.permitted));
    BERTH_TRYV(get(n, "ambient", c.ambient));
    return c;
}

Result<Rlimit> parse_rlimit(const JsonNode& n) {
    Rlimit r;
    BERTH_TRYV(get(n, "type", r.type));
    BERTH_TRYV(get(n, "soft", r.soft));
    BERTH_TRYV(get(n, "hard", r.hard));
    return r;
}

Result<IoPriority> parse_io_priority(const JsonNode& n) {
    IoPriority p;
    BERTH_TRYV(get(n, "class", p.klass));
    BERTH_TRYV(get(n, "priority", p.priority));
    return p;
}

Result<Scheduler> parse_scheduler(const JsonNode& n) {
    Scheduler s;
    BERTH_TRYV(get(n, "policy", s.policy));
    BERTH_TRYV(get(n, "nice", s.nice));
    BERTH_TRYV(get(n, "priority", s.priority));
    BERTH_TRYV(get(n, "flags", s.flags));
    BERTH_TRYV(get(n, "runtime", s.runtime));
    BERTH_TRYV(get(n, "deadline", s.deadline));
    BERTH_TRYV(get(n, "period", s.period));
    return s;
}

Result<ExecCpuAffinity> parse_exec_cpu_affinity(const JsonNode& n) {
    ExecCpuAffinity a;
    BERTH_TRYV(get(n, "initial", a.initial_cpus));
    BERTH_TRYV(get(n, "final", a.final_cpus));
    return a;
}

}  // namespace

Result<Process> parse_process_object(const JsonNode& n) {
    Process p;
    BERTH_TRYV(get(n, "terminal", p.terminal));
    BERTH_TRYV(get_object(n, "consoleSize", p.console_size, parse_console_size));
    std::optional<User> user;
    BERTH_TRYV(get_object(n, "user", user, parse_user));
    if (user) p.user = std::move(*user);
    BERTH_TRYV(get(n, "args", p.args));
    BERTH_TRYV(get(n, "commandLine", p.command_line));
    BERTH_TRYV(get(n, "env", p.env));
    // cwd is REQUIRED by the spec; Process defaults it to "/", and an explicit
    // value (even "") replaces that so validation can reject it.
    BERTH_TRYV(get(n, "cwd", p.cwd));
    BERTH_TRYV(get_object(n, "capabilities", p.capabilities, parse_capabilities));
    BERTH_TRYV(get_array(n, "rlimits", p.rlimits, parse_rlimit));
    BERTH_TRYV(get(n, "noNewPrivileges", p.no_new_privileges));
    BERTH_TRYV(get(n, "apparmorProfile", p.apparmor_profile));
    BERTH_TRYV(get(n, "oomScoreAdj", p.oom_score_adj));
    BERTH_TRYV(get(n, "selinuxLabel", p.selinux_label));
    BERTH_TRYV(get_object(n, "ioPriority", p.io_priority, parse_io_priority));
    BERTH_TRYV(get_object(n, "scheduler", p.scheduler, parse_scheduler));
    BERTH_TRYV(get_object(n, "execCPUAffinity", p.exec_cpu_affinity, parse_exec_cpu_affinity));
    return p;
}

}  // namespace berth::oci::detail

#include "runtime/seccomp_filter.hpp"

#include <utility>
#include <vector>

#include "base/log.hpp"
#include "runtime/process_security.hpp"
#include "runtime/seccomp_names.hpp"
#include "base/text.hpp"

namespace berth::runtime {

SeccompFilter::SeccompFilter(SeccompFilter&& o) noexcept
    : ctx_(std::exchange(o.ctx_, nullptr)), uses_notify_(o.uses_notify_) {}

SeccompFilter& SeccompFilter::operator=(SeccompFilter&& o) noexcept {
    if (this != &o) {
        if (ctx_) seccomp_release(ctx_);
        ctx_ = std::exchange(o.ctx_, nullptr);
        uses_notify_ = o.uses_notify_;
    }
    return *this;
}

SeccompFilter::~SeccompFilter() {
    if (ctx_) seccomp_release(ctx_);
}

namespace {

// libseccomp returns -errno.
Result<void> check_rc(int rc, std::string_view what) {
    if (rc < 0) return sys_fail(what, -rc);
    return {};
}

Result<void> add_architectures(scmp_filter_ctx ctx, const oci::Seccomp& s) {
    for (size_t i = 0; i < s.architectures.size(); ++i) {
        const auto& name = s.architectures[i];
        auto token = seccomp_architecture_token(name);
        if (!token) {
            log::warn(
                cat("seccomp: architecture ", name, " is not supported by libseccomp; skipped"));
            continue;
        }
        // The native architecture is in a new filter already: EEXIST is fine.
        int rc = seccomp_arch_add(ctx, *token);
        if (rc != -EEXIST)
            BERTH_TRYV(check_rc(rc, cat("linux.seccomp.architectures[", i, "]: add ", name)));
    }
    return {};
}

Result<void> set_flags(scmp_filter_ctx ctx, const oci::Seccomp& s) {
    // libseccomp sets no_new_privs on load by default; whether it is set must follow
    // process.noNewPrivileges alone (config.md), so turn that off.
    BERTH_TRYV(check_rc(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0),
                        "seccomp: clear the no_new_privs attribute"));
    // Without this libseccomp reports every kernel refusal as ECANCELED; the real
    // errno (EACCES for a missing CAP_SYS_ADMIN) is what the user needs to see.
    BERTH_TRYV(check_rc(seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1),
                        "seccomp: ask libseccomp for raw system errors"));
    for (size_t i = 0; i < s.flags.size(); ++i) {
        auto attr = seccomp_flag_attribute(s.flags[i]);
        // validate_seccomp has rejected everything this libseccomp can't set.
        if (!attr) return fail(cat("linux.seccomp.flags[", i, "]: unsupported flag ", s.flags[i]));
        BERTH_TRYV(check_rc(seccomp_attr_set(ctx, *attr, 1),
                            cat("linux.seccomp.flags[", i, "]: set ", s.flags[i])));
    }
    return {};
}

scmp_arg_cmp to_condition(const oci::SeccompArg& a) {
    // For SCMP_CMP_MASKED_EQ libseccomp takes (mask, datum) in that order, which is
    // the spec's (value, valueTwo); other operators use datum_a only.
    return scmp_arg_cmp{a.index, *seccomp_operator(a.op), a.value, a.value_two};
}

// libseccomp refuses two conditions on one argument in a rule. runc's answer,
// which profiles in the wild rely on, is one rule per condition.
std::vector<std::vector<scmp_arg_cmp>> rule_conditions(const std::vector<oci::SeccompArg>& args) {
    std::vector<scmp_arg_cmp> all;
    bool index_repeats = false;
    unsigned seen = 0;
    for (auto& a : args) {
        index_repeats |= (seen & (1u << a.index)) != 0;
        seen |= 1u << a.index;
        all.push_back(to_condition(a));
    }
    if (!index_repeats) return {all};
    std::vector<std::vector<scmp_arg_cmp>> split;
    for (auto& c : all) split.push_back({c});
    return split;
}

Result<void> add_syscall_rules(scmp_filter_ctx ctx, uint32_t default_action,
                               const oci::SeccompSyscall& sc, size_t i) {
    const uint32_t action = *seccomp_action(sc.action, sc.errno_ret);
    // libseccomp rejects a rule whose action is the default (EACCES); such a rule
    // changes nothing, so it is dropped.
    if (action == default_action) return {};
    const auto rules = rule_conditions(sc.args);
    for (auto& name : sc.names) {
        const int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) {
            // Profiles such as Docker's list syscalls of other architectures and
            // newer kernels.
            log::debug(cat("seccomp: syscall ", name, " is unknown to libseccomp; skipped"));
            continue;
        }
        for (auto& conds : rules)
            BERTH_TRYV(
                check_rc(seccomp_rule_add_array(ctx, action, nr,
                                                static_cast<unsigned>(conds.size()), conds.data()),
                         cat("linux.seccomp.syscalls[", i, "]: add rule for ", name)));
    }
    return {};
}

}  // namespace

Result<SeccompFilter> build_seccomp_filter(const oci::Seccomp& s) {
    BERTH_TRYV(validate_seccomp(s));
    const uint32_t default_action = *seccomp_action(s.default_action, s.default_errno_ret);
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (!ctx) return fail("seccomp: create filter context (seccomp_init failed)");
    bool uses_notify = false;
    for (auto& sc : s.syscalls) uses_notify |= sc.action == "SCMP_ACT_NOTIFY";
    SeccompFilter filter(ctx, uses_notify);
    BERTH_TRYV(add_architectures(ctx, s));
    BERTH_TRYV(set_flags(ctx, s));
    for (size_t i = 0; i < s.syscalls.size(); ++i)
        BERTH_TRYV(add_syscall_rules(ctx, default_action, s.syscalls[i], i));
    return filter;
}

Result<int> load_seccomp_filter(const SeccompFilter& filter) {
    BERTH_TRYV(check_rc(seccomp_load(filter.get()), "load seccomp filter"));
    if (!filter.uses_notify()) return -1;
    const int fd = seccomp_notify_fd(filter.get());
    if (fd < 0) return sys_fail("get the seccomp notify fd", -fd);
    return fd;
}

}  // namespace berth::runtime

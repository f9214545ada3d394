// The order in which the container process gives up privilege before execve. Each
// step needs a privilege that a later step takes away, so the order is forced:
//
//  1. rlimits, oom_score_adj, scheduler, I/O priority: raising a hard rlimit,
//     lowering oom_score_adj, real-time scheduling and IOPRIO_CLASS_RT all need
//     capabilities (CAP_SYS_RESOURCE, CAP_SYS_NICE, CAP_SYS_ADMIN) that steps 2-4
//     may remove.
//  2. Bounding set: PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, which a
//     uid change (step 3) clears.
//  3. Identity: setgroups and setresgid need CAP_SETGID, so they go before
//     setresuid. Moving from uid 0 to another uid clears the permitted set unless
//     PR_SET_KEEPCAPS is on (capabilities(7), "Effect of user ID changes"), and
//     step 4 needs the permitted set to choose from.
//  4. capset of effective/permitted/inheritable, then the ambient set, which can
//     only hold capabilities that are permitted and inheritable.
//  5. no_new_privs.
//  6. seccomp. Without no_new_privs the kernel only lets a task with CAP_SYS_ADMIN
//     install a filter (seccomp(2)), and step 4 may drop it; so then the filter is
//     loaded between steps 3 and 4, with the effective set briefly raised to the
//     permitted set that KEEPCAPS preserved. With no_new_privs no capability is
//     needed and the filter goes last, so that it never sees (or blocks) the
//     runtime's own setup syscalls; only execve follows. runc orders the two cases
//     the same way.
#include "runtime/process_security.hpp"

#include <sys/prctl.h>

#include <optional>

#include "base/unique_fd.hpp"
#include "runtime/capabilities.hpp"
#include "runtime/identity.hpp"
#include "runtime/process_tuning.hpp"
#include "runtime/seccomp_filter.hpp"
#include "runtime/seccomp_program.hpp"

namespace berth::runtime {
namespace {

Result<void> apply_tuning(const oci::Process& p) {
    BERTH_TRYV(apply_rlimits(p.rlimits));
    if (p.oom_score_adj) BERTH_TRYV(set_oom_score_adj(*p.oom_score_adj));
    if (p.scheduler) BERTH_TRYV(set_scheduler(*p.scheduler));
    if (p.io_priority) BERTH_TRYV(set_io_priority(*p.io_priority));
    return {};
}

Result<void> change_identity(const oci::User& user) {
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return sys_fail("prctl(PR_SET_KEEPCAPS, 1)");
    BERTH_TRYV(set_identity(user));
    // Off again so that later uid changes by the container's own programs behave as
    // they would anywhere else.
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return sys_fail("prctl(PR_SET_KEEPCAPS, 0)");
    set_umask(user);
    return {};
}

// Loads the filter while CAP_SYS_ADMIN is still permitted (no_new_privs is off).
Result<int> load_seccomp_privileged(const SeccompProgram& filter) {
    auto now = BERTH_TRY(current_capabilities());
    now.effective = now.permitted;
    BERTH_TRYV_CTX(set_capabilities(now), "raise the effective capabilities to load seccomp");
    auto fd = load_seccomp_program(filter);
    if (!fd && fd.error().sys_errno == EACCES)
        fd.error().message +=
            " (without process.noNewPrivileges loading a filter needs "
            "CAP_SYS_ADMIN)";
    return fd;
}

}  // namespace

Result<int> apply_process_security(const oci::Process& p, const SeccompProgram* filter) {
    // Everything the config can get wrong is checked before the process changes
    // (the seccomp program was compiled before the process existed).
    // No capabilities object means none at all (runc does the same).
    CapabilitySets caps;
    if (p.capabilities) caps = BERTH_TRY(capability_sets(*p.capabilities));

    BERTH_TRYV(apply_tuning(p));
    BERTH_TRYV_CTX(drop_bounding_set(caps.bounding), "process.capabilities.bounding");
    BERTH_TRYV_CTX(change_identity(p.user), "process.user");

    UniqueFd notify_fd;
    if (filter && !p.no_new_privileges)
        notify_fd.reset(BERTH_TRY(load_seccomp_privileged(*filter)));

    BERTH_TRYV_CTX(set_capabilities(caps), "process.capabilities");
    BERTH_TRYV_CTX(set_ambient(caps.ambient), "process.capabilities.ambient");

    if (p.no_new_privileges) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            return sys_fail("process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
        if (filter) notify_fd.reset(BERTH_TRY(load_seccomp_program(*filter)));
    }
    return notify_fd.release();
}

}  // namespace berth::runtime

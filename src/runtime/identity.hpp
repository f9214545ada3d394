// Who the container process is: supplementary groups, gid, uid, umask. Internal to
// process_security, which brackets these calls with PR_SET_KEEPCAPS.
#pragma once

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// setgroups(additionalGids), setresgid(gid), setresuid(uid), in that order: once the
// uid is not 0 the process has lost CAP_SETGID from its effective set. Ids are as
// seen in the caller's user namespace (container ids inside a user namespace).
Result<void> set_identity(const oci::User& user);

// umask(user.umask) when set; otherwise the inherited mask stays.
void set_umask(const oci::User& user);

}  // namespace berth::runtime

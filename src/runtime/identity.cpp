#include "runtime/identity.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::runtime {
namespace {

// In a user namespace whose gid map was written without CAP_SETGID in the parent
// namespace, /proc/self/setgroups is "deny" and setgroups(2) always fails
// (user_namespaces(7)).
bool setgroups_denied() {
    auto text = read_file("/proc/self/setgroups");
    return text && trim(*text) == "deny";
}

Result<void> set_groups(const std::vector<uint32_t>& gids) {
    std::vector<gid_t> list(gids.begin(), gids.end());
    if (::setgroups(list.size(), list.data()) == 0) return {};
    const int err = errno;
    // With no groups asked for, the call only drops the runtime's own groups; if
    // the namespace forbids setgroups nobody inside can do that, so go on (as runc
    // does). Requested groups, however, must not be silently lost.
    if (err == EPERM && gids.empty() && setgroups_denied()) return {};
    std::string what = "setgroups(";
    for (size_t i = 0; i < gids.size(); ++i) what += cat(i ? "," : "", gids[i]);
    what += ')';
    if (err == EPERM && setgroups_denied())
        what += " (/proc/self/setgroups is \"deny\" in this user namespace)";
    return sys_fail(what, err);
}

}  // namespace

Result<void> set_identity(const oci::User& user) {
    BERTH_TRYV(set_groups(user.additional_gids));
    if (::setresgid(user.gid, user.gid, user.gid) != 0)
        return sys_fail(cat("setresgid(", user.gid, ")"));
    if (::setresuid(user.uid, user.uid, user.uid) != 0)
        return sys_fail(cat("setresuid(", user.uid, ")"));
    return {};
}

void set_umask(const oci::User& user) {
    if (user.umask) ::umask(static_cast<mode_t>(*user.umask & 07777));
}

}  // namespace berth::runtime

// /etc/passwd lookups done by hand: a container's passwd file is not the host's
// (so NSS is the wrong tool), and a static binary has no NSS.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace berth {

struct PasswdEntry {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};

std::optional<PasswdEntry> lookup_uid(const std::string& passwd_path, uid_t uid);

}  // namespace berth

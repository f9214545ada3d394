// Linux namespaces as config.json names them: clone flags, /proc/<pid>/ns names,
// joining by path, and user-namespace id maps.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

int clone_flag(oci::NamespaceType t);            // CLONE_NEWPID, ...
const char* proc_ns_name(oci::NamespaceType t);  // "pid", "net", "mnt", ...

// setns into the namespace at `path`; the error names the type and path.
Result<void> join_namespace(const std::string& path, oci::NamespaceType t);

// Writes /proc/<pid>/uid_map and gid_map (the parent does this for a child that
// was cloned into a new user namespace).
Result<void> write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids,
                               const std::vector<oci::IdMapping>& gids);

// A new network namespace has lo down; runc brings it up, and so do we.
Result<void> bring_up_loopback();

// True when /proc/<pid>/ns/<name> differs from ours (exec joins only those).
bool namespace_differs(pid_t pid, oci::NamespaceType t);

}  // namespace berth::runtime

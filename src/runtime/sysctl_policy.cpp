#include "runtime/sysctl_policy.hpp"

#include <sys/stat.h>

#include <array>
#include <string_view>

#include "runtime/namespaces.hpp"

namespace berth::runtime {
namespace {

using oci::NamespaceType;

constexpr std::array<std::string_view, 8> kIpcSysctls = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};

// The namespace that scopes `key`, or nullopt when none does.
std::optional<NamespaceType> scope_of(std::string_view key) {
    for (auto k : kIpcSysctls)
        if (key == k) return NamespaceType::ipc;
    if (key.starts_with("fs.mqueue.")) return NamespaceType::ipc;
    if (key.starts_with("net.")) return NamespaceType::network;
    if (key == "kernel.hostname" || key == "kernel.domainname") return NamespaceType::uts;
    return std::nullopt;
}

// A namespace joined by path may be the host's own (/proc/1/ns/net): then a
// "namespaced" sysctl would still change the host.
bool is_hosts(const oci::Namespace& ns) {
    if (ns.path.empty()) return false;
    struct stat joined {
    }, ours{};
    std::string self = std::string("/proc/self/ns/") + proc_ns_name(ns.type);
    return ::stat(ns.path.c_str(), &joined) == 0 && ::stat(self.c_str(), &ours) == 0 &&
           joined.st_dev == ours.st_dev && joined.st_ino == ours.st_ino;
}

}  // namespace

Result<void> check_sysctl_policy(const oci::Linux& l) {
    for (auto& [key, value] : l.sysctl) {
        auto scope = scope_of(key);
        if (!scope)
            return fail("linux.sysctl: \"" + key +
                        "\" is not namespaced: setting it would change the host");
        const oci::Namespace* ns = l.find_namespace(*scope);
        if (!ns || is_hosts(*ns))
            return fail("linux.sysctl: \"" + key + "\" needs a " +
                        oci::namespace_type_name(*scope) +
                        " namespace of the container's own, or it would change the host's");
    }
    return {};
}

}  // namespace berth::runtime

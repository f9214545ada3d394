#include "runtime/sysctl_policy.hpp"

#include <array>
#include <string_view>

namespace berth::runtime {
namespace {

using oci::NamespaceType;

constexpr std::array<std::string_view, 8> kIpcSysctls = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",  "kernel.sem",
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

}  // namespace

Result<void> check_sysctl_policy(const oci::Linux& l) {
    for (auto& [key, value] : l.sysctl) {
        auto scope = scope_of(key);
        if (!scope)
            return fail("linux.sysctl: \"" + key +
                        "\" is not namespaced: setting it would change the host");
        if (!l.has_namespace(*scope))
            return fail("linux.sysctl: \"" + key + "\" needs a " +
                        oci::namespace_type_name(*scope) +
                        " namespace, or it would change the host's");
    }
    return {};
}

}  // namespace berth::runtime

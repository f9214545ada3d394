// Checks on "linux" (config-linux.md) and the namespace-dependent top-level
// fields, mirroring what runc refuses before it creates anything.
#include <algorithm>
#include <set>

#include "base/strings.hpp"
#include "oci/config_validate_internal.hpp"
#include "runtime/process_security.hpp"

namespace berth::oci::detail {

namespace {

std::string indexed(std::string_view base, size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}

bool creates_namespace(const Linux* l, NamespaceType t) {
    if (!l) return false;
    auto* ns = l->find_namespace(t);
    return ns && ns->path.empty();
}

Result<void> check_namespaces(const Linux& l) {
    std::set<NamespaceType> seen;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        auto& ns = l.namespaces[i];
        // config-linux.md "Namespaces": duplicated types MUST be an error.
        if (!seen.insert(ns.type).second)
            return field_error(indexed("linux.namespaces", i) + ".type",
                               "duplicate namespace " + in_quotes(namespace_type_name(ns.type)));
        if (!ns.path.empty())
            BERTH_TRYV(check_absolute(indexed("linux.namespaces", i) + ".path", ns.path));
    }
    return {};
}

Result<void> check_mappings(std::string_view name, const std::vector<IdMapping>& maps) {
    for (size_t i = 0; i < maps.size(); ++i)
        if (maps[i].size == 0)
            return field_error(indexed(name, i) + ".size", "must be greater than zero");
    return {};
}

Result<void> check_user_namespace(const Linux& l) {
    BERTH_TRYV(check_mappings("linux.uidMappings", l.uid_mappings));
    BERTH_TRYV(check_mappings("linux.gidMappings", l.gid_mappings));
    if (creates_namespace(&l, NamespaceType::user)) {
        // A new user namespace without mappings leaves every id unmapped
        // (overflow uid 65534): nothing in the container could own a file.
        if (l.uid_mappings.empty())
            return field_error("linux.uidMappings",
                               "required when a new user namespace is created");
        if (l.gid_mappings.empty())
            return field_error("linux.gidMappings",
                               "required when a new user namespace is created");
    } else if (!l.has_namespace(NamespaceType::user)) {
        if (!l.uid_mappings.empty())
            return field_error("linux.uidMappings", "given without a user namespace");
        if (!l.gid_mappings.empty())
            return field_error("linux.gidMappings", "given without a user namespace");
    }
    return {};
}

Result<void> check_time_offsets(const Linux& l) {
    std::set<std::string> clocks;
    for (auto& [k, v] : l.time_offsets_secs) clocks.insert(k);
    for (auto& [k, v] : l.time_offsets_nsecs) clocks.insert(k);
    if (clocks.empty()) return {};
    // Offsets can only be written to a time namespace nobody has entered yet
    // (time_namespaces(7)), i.e. one this runtime creates.
    if (!creates_namespace(&l, NamespaceType::time))
        return field_error("linux.timeOffsets", "requires a new time namespace");
    for (auto& clock : clocks)
        if (clock != "boottime" && clock != "monotonic")
            return field_error("linux.timeOffsets." + clock,
                               "unknown clock (expected boottime or monotonic)");
    return {};
}

Result<void> check_devices(const Linux& l) {
    for (size_t i = 0; i < l.devices.size(); ++i) {
        auto& d = l.devices[i];
        std::string path = indexed("linux.devices", i);
        if (d.type == 0) return field_error(path + ".type", "required");
        if (std::string_view("cbup").find(d.type) == std::string_view::npos)
            return field_error(path + ".type", "must be one of c, b, u, p, got " +
                                                   in_quotes(std::string(1, d.type)));
        BERTH_TRYV(check_absolute(path + ".path", d.path));
    }
    return {};
}

Result<void> check_cgroups_path(const Linux& l) {
    // A ".." component would let the config escape the cgroup hierarchy the
    // runtime was given (both "/a/b" and systemd "slice:prefix:name" forms).
    for (auto& part : split(l.cgroups_path, '/'))
        for (auto& piece : split(part, ':'))
            if (piece == "..")
                return field_error("linux.cgroupsPath",
                                   "must not contain \"..\", got " + in_quotes(l.cgroups_path));
    return {};
}

Result<void> check_rootfs_propagation(const Linux& l) {
    static constexpr std::string_view kModes[] = {"",        "shared",     "slave",
                                                  "private", "unbindable", "rshared",
                                                  "rslave",  "rprivate",   "runbindable"};
    if (std::ranges::find(kModes, l.rootfs_propagation) == std::end(kModes))
        return field_error("linux.rootfsPropagation",
                           "unknown propagation " + in_quotes(l.rootfs_propagation) +
                               " (expected shared, slave, private, unbindable or their r- forms)");
    return {};
}

Result<void> check_seccomp(const Linux& l) {
    if (!l.seccomp) return {};
    auto r = runtime::validate_seccomp(*l.seccomp);
    if (!r && !r.error().message.starts_with("linux.seccomp"))
        return std::unexpected(std::move(r.error()).context("linux.seccomp"));
    return r;
}

Result<void> check_path_list(std::string_view name, const std::vector<std::string>& paths) {
    for (size_t i = 0; i < paths.size(); ++i)
        BERTH_TRYV(check_absolute(indexed(name, i), paths[i]));
    return {};
}

Result<void> check_personality(const Linux& l) {
    if (!l.personality) return {};
    auto& d = l.personality->domain;
    if (d != "LINUX" && d != "LINUX32")
        return field_error("linux.personality.domain",
                           "unknown domain " + in_quotes(d) + " (expected LINUX or LINUX32)");
    return {};
}

Result<void> check_memory_policy(const Linux& l) {
    if (!l.memory_policy) return {};
    static constexpr std::string_view kModes[] = {
        "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
        "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"};
    static constexpr std::string_view kFlags[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
                                                  "MPOL_F_STATIC_NODES"};
    auto& p = *l.memory_policy;
    if (p.mode.empty()) return field_error("linux.memoryPolicy.mode", "required");
    if (std::ranges::find(kModes, p.mode) == std::end(kModes))
        return field_error("linux.memoryPolicy.mode", "unknown mode " + in_quotes(p.mode));
    for (size_t i = 0; i < p.flags.size(); ++i)
        if (std::ranges::find(kFlags, p.flags[i]) == std::end(kFlags))
            return field_error(indexed("linux.memoryPolicy.flags", i),
                               "unknown flag " + in_quotes(p.flags[i]));
    return {};
}

Result<void> check_linux(const Linux& l) {
    BERTH_TRYV(check_namespaces(l));
    BERTH_TRYV(check_user_namespace(l));
    BERTH_TRYV(check_time_offsets(l));
    BERTH_TRYV(check_devices(l));
    BERTH_TRYV(check_cgroups_path(l));
    BERTH_TRYV(check_rootfs_propagation(l));
    BERTH_TRYV(check_seccomp(l));
    if (l.sysctl.contains("")) return field_error("linux.sysctl", "keys must not be empty");
    BERTH_TRYV(check_path_list("linux.maskedPaths", l.masked_paths));
    BERTH_TRYV(check_path_list("linux.readonlyPaths", l.readonly_paths));
    BERTH_TRYV(check_personality(l));
    BERTH_TRYV(check_memory_policy(l));
    return {};
}

}  // namespace

Result<void> validate_linux(const Config& c) {
    const Linux* l = c.linux_ ? &*c.linux_ : nullptr;
    // As runc: setting the host's name from a container that shares (or joined)
    // someone else's UTS namespace would rename that namespace.
    if (!c.hostname.empty() && !creates_namespace(l, NamespaceType::uts))
        return field_error("hostname", "requires a new UTS namespace");
    if (!c.domainname.empty() && !creates_namespace(l, NamespaceType::uts))
        return field_error("domainname", "requires a new UTS namespace");
    if (l) BERTH_TRYV(check_linux(*l));
    return {};
}

}  // namespace berth::oci::detail

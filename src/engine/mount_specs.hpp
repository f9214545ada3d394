// The small string syntaxes of a Docker HostConfig that name mounts and devices:
// Binds ("src:dst[:opts]"), Tmpfs options ("size=64m,mode=1777"), device cgroup
// rules ("c 1:3 rwm"). Parsed once at create (to refuse bad input) and again when
// building the OCI spec (to use it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::engine {

struct BindSpec {
    std::string source;       // absolute host path
    std::string destination;  // absolute container path
    bool read_only = false;
    std::string propagation;  // "" (rprivate), "shared", "rslave", ...
    std::string selinux_relabel;  // "", "z", "Z" (accepted, no SELinux here)
};

// "src:dst[:mode[,mode]]" with modes ro|rw, z|Z, a propagation, nocopy and the
// macOS consistency words. A source that is not absolute is a named volume,
// refused for now. Does not look at the host.
Result<BindSpec> parse_bind_spec(std::string_view spec);

// A HostConfig.Mounts entry of type bind (volumes and others refused) as a BindSpec,
// or a tmpfs one as destination + mount options (tmpfs_options set).
struct MountEntry {
    BindSpec bind;
    std::optional<std::vector<std::string>> tmpfs_options;
};
Result<MountEntry> parse_mount_entry(const Json& mount);

// HostConfig.Tmpfs options for `destination` ("size=64m,mode=1777,noexec") as the
// mount options to pass on; sizes in Docker's words are turned into bytes.
Result<std::vector<std::string>> parse_tmpfs_options(std::string_view destination,
                                                     std::string_view options);

// "c 1:3 rwm", "b *:* m", "a" (as HostConfig.DeviceCgroupRules), an allow rule.
Result<oci::DeviceRule> parse_device_cgroup_rule(std::string_view rule);

// HostConfig.Devices entry {PathOnHost, PathInContainer, CgroupPermissions},
// defaults filled (PathInContainer = PathOnHost, permissions "rwm").
struct DeviceMapping {
    std::string path_on_host, path_in_container, permissions;
};
Result<DeviceMapping> parse_device_mapping(const Json& device);

}  // namespace berth::engine

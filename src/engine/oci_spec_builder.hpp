// A container's settings as the OCI runtime spec berth-runtime runs: Docker's
// defaults (capabilities, mounts, devices, masked paths, seccomp) with the
// HostConfig laid over them, as dockerd's daemon/oci_linux.go builds it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "engine/container_settings.hpp"
#include "oci/config.hpp"

namespace berth::engine {

struct SpecContext {
    std::string id;
    std::string rootfs;  // the mounted overlay (absolute); User is resolved against its /etc
    // Host files bind-mounted at /etc/hostname, /etc/hosts, /etc/resolv.conf ("" = none).
    std::string hostname_path, hosts_path, resolv_conf_path;
    std::string init_path;  // berth-init, mounted read-only at /sbin/docker-init for --init
    std::string cgroup_parent = "/berth";  // cgroupsPath = <CgroupParent or this>/<id>
    // The network namespace to join; empty: a new one (bridge/none). Host mode
    // leaves the network namespace out whatever this says.
    std::string netns_path;
};

Result<oci::Config> build_oci_spec(const ContainerSettings& s, const SpecContext& ctx);

// Config.User ("name", "uid", "name:group", "uid:gid", "") resolved against the
// rootfs's /etc/passwd and /etc/group (read inside the rootfs: symlinks cannot
// lead out of it), plus HostConfig.GroupAdd. Exec uses it for `exec -u`.
Result<oci::User> resolve_user(const std::string& rootfs, std::string_view user,
                               const std::vector<std::string>& group_add);

// Docker's defaults, also recorded into HostConfig at create.
const std::vector<std::string>& docker_default_capabilities();  // the 14 "CAP_*"
const std::vector<std::string>& docker_masked_paths();
const std::vector<std::string>& docker_readonly_paths();

// "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "all" -> "ALL";
// an unknown name is an invalid_argument error.
Result<std::string> normalize_capability(std::string_view name);

// The capability set a container gets: the defaults (or every capability when
// privileged) with CapAdd/CapDrop applied as dockerd's caps.TweakCapabilities.
Result<std::vector<std::string>> effective_capabilities(const ContainerSettings& s);

}  // namespace berth::engine

// TEMPORARY interface copy until the spec branch merges.
#pragma once
#include <string>
#include "base/result.hpp"
#include "engine/container_settings.hpp"
#include "oci/config.hpp"
namespace berth::engine {
struct SpecContext {
    std::string id, rootfs, hostname_path, hosts_path, resolv_conf_path, init_path;
    std::string cgroup_parent = "/berth";
    std::string netns_path;
};
Result<oci::Config> build_oci_spec(const ContainerSettings& s, const SpecContext& ctx);
}

// TEMPORARY interface copy until the spec branch merges.
#pragma once
#include <string>
#include <string_view>
#include <vector>
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
Result<std::vector<std::string>> effective_capabilities(const ContainerSettings& s);
Result<oci::User> resolve_user(const std::string& rootfs, std::string_view user, const std::vector<std::string>& group_add);
}

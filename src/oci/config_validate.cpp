// validate_config: what config.json must say beyond its JSON types for the runtime
// to act on it (config.md). The process and linux sections have their own files.
#include <algorithm>

#include "oci/config_parse.hpp"
#include "oci/config_validate_internal.hpp"

namespace berth::oci {

using detail::check_absolute;
using detail::field_error;

namespace {

bool has_option(const Mount& m, std::string_view opt) {
    return std::ranges::find(m.options, opt) != m.options.end();
}

// config.md "Mounts", uidMappings/gidMappings and the idmap/ridmap options.
Result<void> check_mount_idmap(const Mount& m, const std::string& path, bool has_userns) {
    if (!m.uid_mappings.empty() && m.gid_mappings.empty())
        return field_error(path + ".gidMappings", "required with uidMappings");
    if (m.uid_mappings.empty() && !m.gid_mappings.empty())
        return field_error(path + ".uidMappings", "required with gidMappings");
    // "If there are no uidMappings and gidMappings specified and the container
    // isn't using user namespaces, an error MUST be returned."
    if ((has_option(m, "idmap") || has_option(m, "ridmap")) && m.uid_mappings.empty() &&
        !has_userns)
        return field_error(path + ".options",
                           "idmap needs uidMappings and gidMappings or a user namespace");
    return {};
}

Result<void> check_mounts(const Config& c) {
    const bool has_userns = c.linux_ && c.linux_->has_namespace(NamespaceType::user);
    for (size_t i = 0; i < c.mounts.size(); ++i) {
        std::string path = "mounts[" + std::to_string(i) + "]";
        // config.md "Mounts": destination "MUST be an absolute path" on Linux.
        BERTH_TRYV(check_absolute(path + ".destination", c.mounts[i].destination));
        BERTH_TRYV(check_mount_idmap(c.mounts[i], path, has_userns));
    }
    return {};
}

Result<void> check_hook_list(std::string_view name, const std::vector<Hook>& hooks) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        std::string path = "hooks." + std::string(name) + "[" + std::to_string(i) + "]";
        // config.md "POSIX-platform Hooks": path is REQUIRED and absolute;
        // timeout "MUST be greater than zero".
        BERTH_TRYV(check_absolute(path + ".path", hooks[i].path));
        if (hooks[i].timeout && *hooks[i].timeout <= 0)
            return field_error(path + ".timeout", "must be greater than zero, got " +
                                                      std::to_string(*hooks[i].timeout));
    }
    return {};
}

Result<void> check_hooks(const Hooks& h) {
    BERTH_TRYV(check_hook_list("prestart", h.prestart));
    BERTH_TRYV(check_hook_list("createRuntime", h.create_runtime));
    BERTH_TRYV(check_hook_list("createContainer", h.create_container));
    BERTH_TRYV(check_hook_list("startContainer", h.start_container));
    BERTH_TRYV(check_hook_list("poststart", h.poststart));
    BERTH_TRYV(check_hook_list("poststop", h.poststop));
    return {};
}

Result<void> check_annotations(const std::map<std::string, std::string>& a) {
    // config.md "Annotations": keys MUST NOT be an empty string.
    if (a.contains("")) return field_error("annotations", "keys must not be empty");
    return {};
}

}  // namespace

Result<void> validate_config(const Config& c, bool need_process) {
    if (c.oci_version.empty()) return field_error("ociVersion", "required");
    if (c.root.path.empty()) return field_error("root.path", "required");
    if (c.process) {
        BERTH_TRYV(validate_process(*c.process));
    } else if (need_process) {
        return field_error("process", "required");
    }
    BERTH_TRYV(check_mounts(c));
    BERTH_TRYV(check_hooks(c.hooks));
    BERTH_TRYV(check_annotations(c.annotations));
    BERTH_TRYV(detail::validate_linux(c));
    return {};
}

}  // namespace berth::oci

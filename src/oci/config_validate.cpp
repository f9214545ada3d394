// validate_config: what config.json must say beyond its JSON types for the runtime
// to act on it (config.md). The process and linux sections have their own files.
#include "oci/config_parse.hpp"
#include "oci/config_validate_internal.hpp"

namespace berth::oci {

using detail::check_absolute;
using detail::field_error;

namespace {

Result<void> check_mounts(const std::vector<Mount>& mounts) {
    // config.md "Mounts": destination "MUST be an absolute path" on Linux.
    for (size_t i = 0; i < mounts.size(); ++i)
        BERTH_TRYV(check_absolute("mounts[" + std::to_string(i) + "].destination",
                                  mounts[i].destination));
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
    BERTH_TRYV(check_mounts(c.mounts));
    BERTH_TRYV(check_hooks(c.hooks));
    BERTH_TRYV(check_annotations(c.annotations));
    BERTH_TRYV(detail::validate_linux(c));
    return {};
}

}  // namespace berth::oci

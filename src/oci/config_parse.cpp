// config.json's top level: version, root, mounts, hooks, annotations; the
// process and linux sections are parsed in their own files. Fields the spec
// defines for other platforms (windows, solaris, vm, zos, freebsd) and fields
// unknown to this version are ignored, as runc does, so newer configs still load.
#include "oci/config_parse.hpp"

#include <cstring>

#include "base/file.hpp"
#include "oci/config_parse_internal.hpp"

namespace berth::oci {

using detail::JsonNode;

namespace {

Result<Mount::IdMap> parse_mount_id_map(const JsonNode& n) {
    Mount::IdMap m;
    BERTH_TRYV(detail::get(n, "containerID", m.container_id));
    BERTH_TRYV(detail::get(n, "hostID", m.host_id));
    BERTH_TRYV(detail::get(n, "size", m.size));
    return m;
}

Result<Mount> parse_mount(const JsonNode& n) {
    Mount m;
    BERTH_TRYV(detail::get(n, "destination", m.destination));
    BERTH_TRYV(detail::get(n, "type", m.type));
    BERTH_TRYV(detail::get(n, "source", m.source));
    BERTH_TRYV(detail::get(n, "options", m.options));
    BERTH_TRYV(detail::get_array(n, "uidMappings", m.uid_mappings, parse_mount_id_map));
    BERTH_TRYV(detail::get_array(n, "gidMappings", m.gid_mappings, parse_mount_id_map));
    return m;
}

Result<Hook> parse_hook(const JsonNode& n) {
    Hook h;
    BERTH_TRYV(detail::get(n, "path", h.path));
    BERTH_TRYV(detail::get(n, "args", h.args));
    BERTH_TRYV(detail::get(n, "env", h.env));
    BERTH_TRYV(detail::get(n, "timeout", h.timeout));
    return h;
}

Result<Hooks> parse_hooks(const JsonNode& n) {
    Hooks h;
    BERTH_TRYV(detail::get_array(n, "prestart", h.prestart, parse_hook));
    BERTH_TRYV(detail::get_array(n, "createRuntime", h.create_runtime, parse_hook));
    BERTH_TRYV(detail::get_array(n, "createContainer", h.create_container, parse_hook));
    BERTH_TRYV(detail::get_array(n, "startContainer", h.start_container, parse_hook));
    BERTH_TRYV(detail::get_array(n, "poststart", h.poststart, parse_hook));
    BERTH_TRYV(detail::get_array(n, "poststop", h.poststop, parse_hook));
    return h;
}

Result<Root> parse_root(const JsonNode& n) {
    Root r;
    BERTH_TRYV(detail::get(n, "path", r.path));
    BERTH_TRYV(detail::get(n, "readonly", r.readonly));
    return r;
}

Result<Config> parse_config_types(const Json& j) {
    JsonNode top(j, "");
    if (!j.is_object()) return top.type_error("a JSON object");
    Config c;
    BERTH_TRYV(detail::get(top, "ociVersion", c.oci_version));
    std::optional<Root> root;
    BERTH_TRYV(detail::get_object(top, "root", root, parse_root));
    if (root) c.root = std::move(*root);
    BERTH_TRYV(detail::get_object(top, "process", c.process, detail::parse_process_object));
    BERTH_TRYV(detail::get(top, "hostname", c.hostname));
    BERTH_TRYV(detail::get(top, "domainname", c.domainname));
    BERTH_TRYV(detail::get_array(top, "mounts", c.mounts, parse_mount));
    std::optional<Hooks> hooks;
    BERTH_TRYV(detail::get_object(top, "hooks", hooks, parse_hooks));
    if (hooks) c.hooks = std::move(*hooks);
    BERTH_TRYV(detail::get(top, "annotations", c.annotations));
    BERTH_TRYV(detail::get_object(top, "linux", c.linux_, detail::parse_linux_object));
    return c;
}

}  // namespace

Result<Config> parse_config(const Json& j) {
    auto c = BERTH_TRY(parse_config_types(j));
    BERTH_TRYV(validate_config(c, /*need_process=*/false));
    return c;
}

Result<Config> parse_config_text(std::string_view text) {
    auto j = BERTH_TRY(parse_json(text, "config.json"));
    return with_context(parse_config(j), "config.json");
}

Result<Config> load_bundle_config(const std::string& bundle) {
    const std::string ctx = "bundle " + bundle;
    auto text = read_file(path_join(bundle, "config.json"));
    if (!text) {
        // read_file names the full path; "bundle X: config.json: ENOENT" says the
        // same thing in the words the user typed.
        Error e = std::move(text.error());
        if (e.sys_errno != 0) e.message = std::string("config.json: ") + std::strerror(e.sys_errno);
        return std::unexpected(std::move(e).context(ctx));
    }
    return with_context(parse_config_text(*text), ctx);
}

Result<Process> parse_process(const Json& j) {
    JsonNode n(j, "process");
    if (!j.is_object()) return n.type_error("an object");
    auto p = BERTH_TRY(detail::parse_process_object(n));
    BERTH_TRYV(validate_process(p));
    return p;
}

}  // namespace berth::oci

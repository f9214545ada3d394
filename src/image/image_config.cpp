#include "image/image_config.hpp"

#include <algorithm>

#include "oci/json_reader.hpp"

namespace berth::image {

namespace {

using oci::detail::get;
using oci::detail::get_array;
using oci::detail::get_object;
using oci::detail::JsonNode;

// Keys of an object whose values are ignored ({"80/tcp": {}}).
Result<void> get_key_set(const JsonNode& obj, std::string_view key, std::set<std::string>& out) {
    auto m = obj.member(key);
    if (!m) return {};
    if (!m->json().is_object()) return m->type_error("an object");
    for (auto& [k, v] : m->json().items()) out.insert(k);
    return {};
}

Result<HealthConfig> parse_health(const JsonNode& n) {
    HealthConfig h;
    BERTH_TRYV(get(n, "Test", h.test));
    BERTH_TRYV(get(n, "Interval", h.interval));
    BERTH_TRYV(get(n, "Timeout", h.timeout));
    BERTH_TRYV(get(n, "StartPeriod", h.start_period));
    BERTH_TRYV(get(n, "StartInterval", h.start_interval));
    BERTH_TRYV(get(n, "Retries", h.retries));
    return h;
}

Result<ContainerConfig> parse_container_config(const JsonNode& n) {
    ContainerConfig c;
    BERTH_TRYV(get(n, "Hostname", c.hostname));
    BERTH_TRYV(get(n, "Domainname", c.domainname));
    BERTH_TRYV(get(n, "User", c.user));
    BERTH_TRYV(get(n, "AttachStdin", c.attach_stdin));
    BERTH_TRYV(get(n, "AttachStdout", c.attach_stdout));
    BERTH_TRYV(get(n, "AttachStderr", c.attach_stderr));
    BERTH_TRYV(get(n, "Tty", c.tty));
    BERTH_TRYV(get(n, "OpenStdin", c.open_stdin));
    BERTH_TRYV(get(n, "StdinOnce", c.stdin_once));
    BERTH_TRYV(get_key_set(n, "ExposedPorts", c.exposed_ports));
    BERTH_TRYV(get(n, "Env", c.env));
    BERTH_TRYV(get(n, "Cmd", c.cmd));
    BERTH_TRYV(get(n, "Entrypoint", c.entrypoint));
    BERTH_TRYV(get_key_set(n, "Volumes", c.volumes));
    BERTH_TRYV(get(n, "WorkingDir", c.working_dir));
    BERTH_TRYV(get(n, "Labels", c.labels));
    BERTH_TRYV(get(n, "StopSignal", c.stop_signal));
    BERTH_TRYV(get(n, "StopTimeout", c.stop_timeout));
    BERTH_TRYV(get_object(n, "Healthcheck", c.healthcheck, parse_health));
    BERTH_TRYV(get(n, "OnBuild", c.on_build));
    BERTH_TRYV(get(n, "ArgsEscaped", c.args_escaped));
    BERTH_TRYV(get(n, "Shell", c.shell));
    BERTH_TRYV(get(n, "Image", c.image));
    return c;
}

Result<HistoryEntry> parse_history(const JsonNode& n) {
    HistoryEntry h;
    BERTH_TRYV(get(n, "created", h.created));
    BERTH_TRYV(get(n, "created_by", h.created_by));
    BERTH_TRYV(get(n, "author", h.author));
    BERTH_TRYV(get(n, "comment", h.comment));
    BERTH_TRYV(get(n, "empty_layer", h.empty_layer));
    return h;
}

Result<RootFs> parse_rootfs(const JsonNode& n) {
    RootFs r;
    BERTH_TRYV(get(n, "type", r.type));
    if (r.type != "layers") return n.error("type must be \"layers\", got \"" + r.type + "\"");
    std::vector<std::string> ids;
    BERTH_TRYV(get(n, "diff_ids", ids));
    for (size_t i = 0; i < ids.size(); ++i) {
        auto d = parse_digest(ids[i]);
        if (!d) return n.member("diff_ids")->element(i).error(d.error().message);
        r.diff_ids.push_back(std::move(*d));
    }
    return r;
}

// Writers that set a key when it has a value and erase it otherwise, so that a
// field cleared in the typed view disappears from the document too.
void put(Json& j, const char* key, const std::string& v) {
    if (v.empty())
        j.erase(key);
    else
        j[key] = v;
}
void put(Json& j, const char* key, bool v) {
    if (!v)
        j.erase(key);
    else
        j[key] = true;
}
template <typename T>
void put(Json& j, const char* key, const std::optional<T>& v) {
    if (!v)
        j.erase(key);
    else
        j[key] = *v;
}
template <typename T>
requires requires(const T& t) {
    t.begin();
}
void put(Json& j, const char* key, const T& v) {
    if (v.empty())
        j.erase(key);
    else
        j[key] = v;
}
void put_key_set(Json& j, const char* key, const std::set<std::string>& v) {
    if (v.empty()) return void(j.erase(key));
    Json o = Json::object();
    for (auto& k : v) o[k] = Json::object();
    j[key] = std::move(o);
}

// The member `key` of `j` as an object to update in place, starting empty if it is
// absent or not an object.
Json& object_member(Json& j, const char* key) {
    Json& m = j[key];
    if (!m.is_object()) m = Json::object();
    return m;
}

void put_health(Json& j, const HealthConfig& h) {
    put(j, "Test", h.test);
    auto put_int = [&](const char* key, std::int64_t v) {
        if (v == 0)
            j.erase(key);
        else
            j[key] = v;
    };
    put_int("Interval", h.interval);
    put_int("Timeout", h.timeout);
    put_int("StartPeriod", h.start_period);
    put_int("StartInterval", h.start_interval);
    put_int("Retries", h.retries);
}

void put_container_config(Json& j, const ContainerConfig& c) {
    put(j, "Hostname", c.hostname);
    put(j, "Domainname", c.domainname);
    put(j, "User", c.user);
    put(j, "AttachStdin", c.attach_stdin);
    put(j, "AttachStdout", c.attach_stdout);
    put(j, "AttachStderr", c.attach_stderr);
    put(j, "Tty", c.tty);
    put(j, "OpenStdin", c.open_stdin);
    put(j, "StdinOnce", c.stdin_once);
    put_key_set(j, "ExposedPorts", c.exposed_ports);
    put(j, "Env", c.env);
    put(j, "Cmd", c.cmd);
    put(j, "Entrypoint", c.entrypoint);
    put_key_set(j, "Volumes", c.volumes);
    put(j, "WorkingDir", c.working_dir);
    put(j, "Labels", c.labels);
    put(j, "StopSignal", c.stop_signal);
    put(j, "StopTimeout", c.stop_timeout);
    if (c.healthcheck)
        put_health(object_member(j, "Healthcheck"), *c.healthcheck);
    else
        j.erase("Healthcheck");
    put(j, "OnBuild", c.on_build);
    put(j, "ArgsEscaped", c.args_escaped);
    put(j, "Shell", c.shell);
    put(j, "Image", c.image);
}

Json history_json(const HistoryEntry& h) {
    Json j = Json::object();
    put(j, "created", h.created);
    put(j, "created_by", h.created_by);
    put(j, "author", h.author);
    put(j, "comment", h.comment);
    put(j, "empty_layer", h.empty_layer);
    return j;
}

}  // namespace

Result<ImageConfig> parse_image_config(std::string raw) {
    ImageConfig cfg;
    cfg.document = BERTH_TRY(parse_json(raw, "image config"));
    JsonNode root(cfg.document, "");
    if (!cfg.document.is_object())
        return with_context(Result<ImageConfig>(root.type_error("an object")), "image config");
    auto parse = [&]() -> Result<void> {
        BERTH_TRYV(get(root, "architecture", cfg.architecture));
        BERTH_TRYV(get(root, "os", cfg.os));
        BERTH_TRYV(get(root, "variant", cfg.variant));
        BERTH_TRYV(get(root, "os.version", cfg.os_version));
        BERTH_TRYV(get(root, "os.features", cfg.os_features));
        BERTH_TRYV(get(root, "created", cfg.created));
        BERTH_TRYV(get(root, "author", cfg.author));
        BERTH_TRYV(get(root, "docker_version", cfg.docker_version));
        BERTH_TRYV(get(root, "container", cfg.container));
        std::optional<ContainerConfig> config;
        BERTH_TRYV(get_object(root, "config", config, parse_container_config));
        if (config) cfg.config = std::move(*config);
        BERTH_TRYV(
            get_object(root, "container_config", cfg.container_config, parse_container_config));
        std::optional<RootFs> rootfs;
        BERTH_TRYV(get_object(root, "rootfs", rootfs, parse_rootfs));
        if (!rootfs) return root.error("missing required field \"rootfs\"");
        cfg.rootfs = std::move(*rootfs);
        BERTH_TRYV(get_array(root, "history", cfg.history, parse_history));
        return {};
    };
    BERTH_TRYV_CTX(parse(), "image config");
    cfg.raw = std::move(raw);
    return cfg;
}

std::string to_json(const ImageConfig& cfg) {
    Json j = cfg.document.is_object() ? cfg.document : Json::object();
    put(j, "architecture", cfg.architecture);
    put(j, "os", cfg.os);
    put(j, "variant", cfg.variant);
    put(j, "os.version", cfg.os_version);
    put(j, "os.features", cfg.os_features);
    put(j, "created", cfg.created);
    put(j, "author", cfg.author);
    put(j, "docker_version", cfg.docker_version);
    put(j, "container", cfg.container);
    put_container_config(object_member(j, "config"), cfg.config);
    if (cfg.container_config)
        put_container_config(object_member(j, "container_config"), *cfg.container_config);
    else
        j.erase("container_config");
    Json& rootfs = object_member(j, "rootfs");
    rootfs["type"] = cfg.rootfs.type;
    Json ids = Json::array();
    for (auto& d : cfg.rootfs.diff_ids) ids.push_back(d.str());
    rootfs["diff_ids"] = std::move(ids);
    Json history = Json::array();
    for (auto& h : cfg.history) history.push_back(history_json(h));
    if (history.empty())
        j.erase("history");
    else
        j["history"] = std::move(history);
    return dump_compact(j);
}

Digest chain_id(const std::vector<Digest>& diff_ids, std::size_t n) {
    n = std::min(n, diff_ids.size());
    if (n == 0) return Digest{};
    Digest id = diff_ids[0];
    for (std::size_t i = 1; i < n; ++i) id = sha256_of(id.str() + " " + diff_ids[i].str());
    return id;
}

std::vector<Digest> chain_ids(const std::vector<Digest>& diff_ids) {
    std::vector<Digest> out;
    for (const auto& d : diff_ids)
        out.push_back(out.empty() ? d : sha256_of(out.back().str() + " " + d.str()));
    return out;
}

}  // namespace berth::image

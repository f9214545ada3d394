#include "engine/daemon_config.hpp"

#include "base/text.hpp"

#include "base/file.hpp"
#include "base/strings.hpp"
#include "registry/url.hpp"

namespace berth::engine {

namespace {

Result<std::string> string_value(const Json& doc, const std::string& key) {
    if (!doc[key].is_string()) return fail("\"" + key + "\" must be a string");
    return doc[key].get<std::string>();
}

}  // namespace

Result<std::string> DaemonConfig::socket_path() const {
    std::string_view h = host;
    if (h.starts_with("unix://")) h.remove_prefix(7);
    else if (h.find("://") != std::string_view::npos)
        return fail_as(ErrorKind::invalid_argument,
                       "host \"" + host + "\": only unix:// sockets are served (TCP needs TLS, "
                       "not supported yet)");
    if (h.empty() || h[0] != '/')
        return fail_as(ErrorKind::invalid_argument,
                       "host \"" + host + "\": want unix:///absolute/path");
    return std::string(h);
}

std::string DaemonConfig::pidfile_path() const {
    return pidfile.empty() ? path_join(exec_root, "berthd.pid") : pidfile;
}

Result<void> validate_log_level(const std::string& level) {
    for (const char* ok : {"debug", "info", "warn", "error", "fatal"})
        if (level == ok) return {};
    return fail_as(ErrorKind::invalid_argument,
                   "unable to parse logging level: " + level +
                       " (want debug, info, warn, error or fatal)");
}

Result<void> apply_daemon_json(DaemonConfig& cfg, const Json& doc,
                               const std::set<std::string>& from_flags) {
    if (!doc.is_object()) return fail("daemon.json must hold a JSON object");
    std::vector<std::string> unknown, conflicting;
    for (const auto& [key, value] : doc.items()) {
        (void)value;
        if (from_flags.count(key)) conflicting.push_back(key);
    }
    if (!conflicting.empty())
        return fail("the following directives are specified both as a flag and in the "
                    "configuration file: " + join(conflicting, ", "));
    for (const auto& [key, value] : doc.items()) {
        if (key == "hosts") {
            if (!value.is_array() || value.size() != 1 || !value[0].is_string())
                return fail("\"hosts\" must list exactly one unix socket");
            cfg.host = value[0].get<std::string>();
        } else if (key == "data-root") {
            cfg.data_root = BERTH_TRY(string_value(doc, key));
        } else if (key == "exec-root") {
            cfg.exec_root = BERTH_TRY(string_value(doc, key));
        } else if (key == "pidfile") {
            cfg.pidfile = BERTH_TRY(string_value(doc, key));
        } else if (key == "group") {
            cfg.group = BERTH_TRY(string_value(doc, key));
        } else if (key == "log-level") {
            cfg.log_level = BERTH_TRY(string_value(doc, key));
            BERTH_TRYV(validate_log_level(cfg.log_level));
        } else if (key == "insecure-registries") {
            if (!value.is_array()) return fail("\"insecure-registries\" must be a list of registries");
            cfg.insecure_registries.clear();
            for (const auto& r : value) {
                if (!r.is_string()) return fail("\"insecure-registries\" must be a list of registries");
                cfg.insecure_registries.push_back(r.get<std::string>());
            }
        } else if (key == "registry-mirrors") {
            const char* want =
                "\"registry-mirrors\" must be a list of URLs (\"https://mirror.example.com\")";
            if (!value.is_array()) return fail(want);
            cfg.registry_mirrors.clear();
            for (const auto& m : value) {
                if (!m.is_string()) return fail(want);
                auto url = registry::parse_url(m.get<std::string>());
                if (!url) return fail("registry mirror: " + url.error().message);
                // Mirrors serve /v2/ at their root, as docker requires of them.
                if (url->target != "/")
                    return fail("registry mirror \"" + m.get<std::string>() +
                                "\": a mirror URL has no path");
                cfg.registry_mirrors.push_back(m.get<std::string>());
            }
        } else if (key == "bridge") {
            cfg.network.default_bridge = BERTH_TRY(string_value(doc, key));
        } else if (key == "bip") {
            cfg.network.bip = BERTH_TRY(string_value(doc, key));
        } else if (key == "fixed-cidr") {
            cfg.network.fixed_cidr = BERTH_TRY(string_value(doc, key));
        } else if (key == "ip") {
            cfg.network.default_bind_ip = BERTH_TRY(string_value(doc, key));
        } else if (key == "nft-table") {
            cfg.network.nft_table = BERTH_TRY(string_value(doc, key));
        } else if (key == "mtu") {
            if (!value.is_number_integer() || value.get<int>() < 68 || value.get<int>() > 65535)
                return fail("\"mtu\" must be a number from 68 to 65535");
            cfg.network.mtu = value.get<int>();
        } else if (key == "icc" || key == "ip-masq" || key == "ip-forward") {
            if (!value.is_boolean()) return fail(cat("\"", key, "\" must be true or false"));
            bool& field = key == "icc" ? cfg.network.icc : key == "ip-masq" ? cfg.network.ip_masquerade
                                                                            : cfg.network.ip_forward;
            field = value.get<bool>();
        } else if (key == "registry-certs-dir") {
            cfg.registry_certs_dir = BERTH_TRY(string_value(doc, key));
        } else if (key == "debug") {
            if (!value.is_boolean()) return fail("\"debug\" must be true or false");
            if (value.get<bool>()) cfg.log_level = "debug";
        } else {
            unknown.push_back(key);
        }
    }
    if (!unknown.empty())
        return fail("the following directives don't match any configuration option: " +
                    join(unknown, ", "));
    return {};
}

Result<void> load_daemon_json(DaemonConfig& cfg, bool named_explicitly,
                              const std::set<std::string>& from_flags) {
    if (!named_explicitly && !path_exists(cfg.config_file)) return {};
    auto ctx = "config file " + cfg.config_file;
    auto text = BERTH_TRY(with_context(read_file(cfg.config_file), ctx));
    auto doc = BERTH_TRY(with_context(parse_json(text, cfg.config_file), ctx));
    return with_context(apply_daemon_json(cfg, doc, from_flags), ctx);
}

}  // namespace berth::engine

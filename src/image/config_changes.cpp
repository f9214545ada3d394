#include "image/config_changes.hpp"

#include <cctype>

#include "base/json.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::image {

namespace {

Error bad_change(const std::string& change, const std::string& why) {
    return Error{0, "invalid change \"" + change + "\": " + why, ErrorKind::invalid_argument};
}

// The exec (JSON array) form of CMD/ENTRYPOINT/VOLUME, or nullopt for the shell form.
std::optional<std::vector<std::string>> json_form(std::string_view args) {
    if (!args.starts_with("[")) return std::nullopt;
    auto doc = parse_json(args, "change");
    if (!doc || !doc->is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : *doc) {
        if (!v.is_string()) return std::nullopt;
        out.push_back(v.get<std::string>());
    }
    return out;
}

// Splits "a=1 b='two words' c=\"x\"" into words, honouring quotes and backslashes.
Result<std::vector<std::string>> shell_words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == quote) quote = 0;
            else if (c == '\\' && quote == '"' && i + 1 < s.size()) cur += s[++i];
            else cur += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < s.size()) {
            cur += s[++i];
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) out.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (quote) return fail("unterminated quote");
    if (in_word) out.push_back(std::move(cur));
    return out;
}

// ENV and LABEL: "k=v k2=v2", or the legacy "k v with spaces".
Result<std::vector<std::pair<std::string, std::string>>> key_values(std::string_view args) {
    std::vector<std::pair<std::string, std::string>> out;
    auto first_space = args.find_first_of(" \t");
    auto first_eq = args.find('=');
    if (first_eq == std::string_view::npos || (first_space != std::string_view::npos && first_space < first_eq)) {
        if (first_space == std::string_view::npos) return fail("want KEY=VALUE or KEY VALUE");
        out.emplace_back(std::string(args.substr(0, first_space)),
                         std::string(trim(args.substr(first_space + 1))));
        return out;
    }
    for (auto& word : BERTH_TRY(shell_words(args))) {
        auto eq = word.find('=');
        if (eq == std::string::npos || eq == 0) return fail("\"" + word + "\" is not KEY=VALUE");
        out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    return out;
}

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
    for (auto& e : env)
        if (e.starts_with(key + "=")) {
            e = key + "=" + value;
            return;
        }
    env.push_back(key + "=" + value);
}

std::vector<std::string> command_form(std::string_view args) {
    if (auto j = json_form(args)) return *j;
    return {"/bin/sh", "-c", std::string(args)};
}

Result<void> apply_one(ContainerConfig& cfg, const std::string& change) {
    std::string_view line = trim(change);
    auto space = line.find_first_of(" \t");
    std::string keyword(line.substr(0, space));
    for (auto& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view args = space == std::string_view::npos ? "" : trim(line.substr(space));
    if (args.empty()) return std::unexpected(bad_change(change, keyword + " needs an argument"));
    auto wrap = [&](Result<void> r) -> Result<void> {
        if (!r) return std::unexpected(bad_change(change, r.error().message));
        return {};
    };
    if (keyword == "CMD") {
        cfg.cmd = command_form(args);
    } else if (keyword == "ENTRYPOINT") {
        cfg.entrypoint = command_form(args);
    } else if (keyword == "ENV" || keyword == "LABEL") {
        auto kvs = key_values(args);
        if (!kvs) return wrap(std::unexpected(kvs.error()));
        for (const auto& [k, v] : *kvs) {
            if (keyword == "ENV") set_env(cfg.env, k, v);
            else cfg.labels[k] = v;
        }
    } else if (keyword == "EXPOSE") {
        auto words = shell_words(args);
        if (!words) return wrap(std::unexpected(words.error()));
        for (auto p : *words) {
            if (p.find('/') == std::string::npos) p += "/tcp";
            cfg.exposed_ports.insert(p);
        }
    } else if (keyword == "VOLUME") {
        auto list = json_form(args);
        auto words = list ? Result<std::vector<std::string>>(*list) : shell_words(args);
        if (!words) return wrap(std::unexpected(words.error()));
        for (const auto& v : *words) cfg.volumes.insert(v);
    } else if (keyword == "WORKDIR") {
        std::string dir(args);
        cfg.working_dir = dir.starts_with("/") ? dir : path_join(cfg.working_dir.empty() ? "/" : cfg.working_dir, dir);
    } else if (keyword == "USER") {
        cfg.user = std::string(args);
    } else if (keyword == "STOPSIGNAL") {
        cfg.stop_signal = std::string(args);
    } else if (keyword == "ONBUILD") {
        cfg.on_build.push_back(std::string(args));
    } else {
        return std::unexpected(bad_change(change, keyword + " is not a valid change command"));
    }
    return {};
}

}  // namespace

Result<void> apply_changes(ContainerConfig& cfg, const std::vector<std::string>& changes) {
    ContainerConfig work = cfg;
    for (const auto& c : changes) BERTH_TRYV(apply_one(work, c));
    cfg = std::move(work);
    return {};
}

}  // namespace berth::image

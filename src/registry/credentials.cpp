#include "registry/credentials.hpp"

#include <cerrno>
#include <filesystem>

#include "base/base64.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::registry {

namespace {

constexpr std::string_view kHubKey = "https://index.docker.io/v1/";

std::string string_field(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<AuthConfig> decode_registry_auth(std::string_view header) {
    header = trim(header);
    if (header.empty()) return AuthConfig{};
    auto raw = base64_decode(header);
    if (!raw) return fail_as(ErrorKind::invalid_argument, "X-Registry-Auth header is not base64");
    auto json = parse_json(*raw, "X-Registry-Auth");
    if (!json || !json->is_object())
        return fail_as(ErrorKind::invalid_argument, "X-Registry-Auth header is not a base64 JSON object");
    AuthConfig a;
    a.username = string_field(*json, "username");
    a.password = string_field(*json, "password");
    a.server_address = string_field(*json, "serveraddress");
    a.identity_token = string_field(*json, "identitytoken");
    a.registry_token = string_field(*json, "registrytoken");
    return a;
}

std::string encode_registry_auth(const AuthConfig& auth) {
    Json j = Json::object();
    if (!auth.username.empty()) j["username"] = auth.username;
    if (!auth.password.empty()) j["password"] = auth.password;
    if (!auth.server_address.empty()) j["serveraddress"] = auth.server_address;
    if (!auth.identity_token.empty()) j["identitytoken"] = auth.identity_token;
    if (!auth.registry_token.empty()) j["registrytoken"] = auth.registry_token;
    return base64url_encode(j.dump());
}

std::string server_domain(std::string_view server) {
    std::string_view s = trim(server);
    if (s.starts_with("https://")) s.remove_prefix(8);
    else if (s.starts_with("http://")) s.remove_prefix(7);
    if (auto slash = s.find('/'); slash != std::string_view::npos) s = s.substr(0, slash);
    if (s.empty() || s == "index.docker.io" || s == "registry-1.docker.io" || s == "docker.io")
        return "docker.io";
    return std::string(s);
}

std::string credential_key(std::string_view domain) {
    return server_domain(domain) == "docker.io" ? std::string(kHubKey) : std::string(domain);
}

Result<CredentialFile> CredentialFile::load(std::string path) {
    auto text = read_file(path);
    if (!text) {
        if (text.error().sys_errno == ENOENT) return CredentialFile(std::move(path), Json::object());
        return std::unexpected(std::move(text.error()));
    }
    if (trim(*text).empty()) return CredentialFile(std::move(path), Json::object());
    auto doc = BERTH_TRY(parse_json(*text, path));
    if (!doc.is_object()) return fail(path + ": want a JSON object");
    return CredentialFile(std::move(path), std::move(doc));
}

std::optional<std::string> CredentialFile::key_for(std::string_view domain) const {
    auto auths = doc_.find("auths");
    if (auths == doc_.end() || !auths->is_object()) return std::nullopt;
    std::string want = server_domain(domain);
    for (const auto& [key, value] : auths->items())
        if (server_domain(key) == want) return key;
    return std::nullopt;
}

std::optional<AuthConfig> CredentialFile::find(std::string_view domain) const {
    auto key = key_for(domain);
    if (!key) return std::nullopt;
    const Json& entry = doc_["auths"][*key];
    if (!entry.is_object()) return std::nullopt;
    AuthConfig a;
    a.server_address = *key;
    a.identity_token = string_field(entry, "identitytoken");
    if (auto decoded = base64_decode(string_field(entry, "auth"))) {
        auto colon = decoded->find(':');
        if (colon != std::string::npos) {
            a.username = decoded->substr(0, colon);
            a.password = decoded->substr(colon + 1);
        }
    }
    if (a.empty()) return std::nullopt;
    return a;
}

void CredentialFile::set(std::string_view domain, const AuthConfig& auth) {
    std::string key = key_for(domain).value_or(credential_key(domain));
    if (!doc_.contains("auths") || !doc_["auths"].is_object()) doc_["auths"] = Json::object();
    Json entry = Json::object();
    entry["auth"] = base64_encode(auth.username + ":" + auth.password);
    if (!auth.identity_token.empty()) entry["identitytoken"] = auth.identity_token;
    doc_["auths"][key] = std::move(entry);
}

bool CredentialFile::erase(std::string_view domain) {
    auto key = key_for(domain);
    if (!key) return false;
    doc_["auths"].erase(*key);
    return true;
}

Result<void> CredentialFile::save() const {
    auto dir = std::filesystem::path(path_).parent_path().string();
    if (!dir.empty()) BERTH_TRYV(mkdir_p(dir, 0700));
    return write_file_atomic(path_, doc_.dump(1, '\t') + "\n", 0600);
}

}  // namespace berth::registry

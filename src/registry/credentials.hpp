// Registry credentials: the API's X-Registry-Auth header and a Docker-style
// config.json (`{"auths": {"<server>": {"auth": base64("user:password")}}}`), the
// same format `docker login` writes, so either tool's login serves the other.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::registry {

struct AuthConfig {
    std::string username;
    std::string password;
    std::string server_address;  // as given: "localhost:5000", "https://index.docker.io/v1/"
    std::string identity_token;  // an OAuth refresh token some registries hand out
    std::string registry_token;  // a bearer token to use as is

    bool empty() const { return username.empty() && password.empty() && identity_token.empty() && registry_token.empty(); }
};

// Decodes X-Registry-Auth: base64url (or standard, padded or not) of a JSON object
// {"username","password","serveraddress","identitytoken","registrytoken"}. An
// empty header or "{}" is anonymous. Errors say the header is malformed.
Result<AuthConfig> decode_registry_auth(std::string_view header);
// The header value the CLI sends for `auth`.
std::string encode_registry_auth(const AuthConfig& auth);

// The config.json key for a registry domain: Docker Hub's historical
// "https://index.docker.io/v1/" for docker.io, the domain itself otherwise.
std::string credential_key(std::string_view domain);

// The normalised domain of a login SERVER argument ("https://reg:5000/v2/" ->
// "reg:5000", "index.docker.io" and Docker Hub's URLs -> "docker.io").
std::string server_domain(std::string_view server);

class CredentialFile {
  public:
    // Reads `path`; a missing file is an empty one. Other top-level keys are kept.
    static Result<CredentialFile> load(std::string path);

    // Credentials stored for a registry domain (keys compared after server_domain).
    std::optional<AuthConfig> find(std::string_view domain) const;
    void set(std::string_view domain, const AuthConfig& auth);
    // Whether there was anything to erase.
    bool erase(std::string_view domain);
    // Writes the file atomically, mode 0600 (it holds passwords).
    Result<void> save() const;

  private:
    CredentialFile(std::string path, Json doc) : path_(std::move(path)), doc_(std::move(doc)) {}
    std::optional<std::string> key_for(std::string_view domain) const;

    std::string path_;
    Json doc_;
};

}  // namespace berth::registry

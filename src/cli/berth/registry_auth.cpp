#include "cli/berth/registry_auth.hpp"

#include <cstdlib>

#include "base/file.hpp"

namespace berth::cli {

namespace {

std::string config_in(const char* env, const char* home_dir) {
    if (const char* dir = std::getenv(env); dir && *dir) return path_join(dir, "config.json");
    const char* home = std::getenv("HOME");
    return path_join(path_join(home && *home ? home : "/root", home_dir), "config.json");
}

}  // namespace

std::string berth_config_path() { return config_in("BERTH_CONFIG", ".berth"); }

Result<http::HeaderList> registry_auth_header(std::string_view domain) {
    for (const auto& path : {berth_config_path(), config_in("DOCKER_CONFIG", ".docker")}) {
        auto file = BERTH_TRY(registry::CredentialFile::load(path));
        if (auto auth = file.find(domain)) return http::HeaderList{{"X-Registry-Auth", registry::encode_registry_auth(*auth)}};
    }
    return http::HeaderList{{"X-Registry-Auth", registry::encode_registry_auth({})}};
}

}  // namespace berth::cli

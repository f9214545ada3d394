// Where the berth CLI keeps registry credentials and how it sends them: a
// Docker-format config.json at $BERTH_CONFIG/config.json (default
// ~/.berth/config.json); credentials `docker login` stored in $DOCKER_CONFIG/
// config.json (default ~/.docker/config.json) are used when berth has none.
#pragma once

#include <string>
#include <string_view>

#include "http/headers.hpp"
#include "base/result.hpp"
#include "registry/credentials.hpp"

namespace berth::cli {

// The file berth login writes.
std::string berth_config_path();

// The X-Registry-Auth header for a registry domain ("docker.io", "localhost:5000"):
// stored credentials, or "{}" (anonymous) when there are none.
Result<http::HeaderList> registry_auth_header(std::string_view domain);

}  // namespace berth::cli

// `docker import --change` / `commit --change`: Dockerfile instructions that set
// image config fields (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL,
// USER, VOLUME, WORKDIR), applied to a container config.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "image/image_config.hpp"

namespace berth::image {

// Applies each change in order; an unknown or malformed one is an invalid_argument
// error naming it, and nothing is applied.
Result<void> apply_changes(ContainerConfig& cfg, const std::vector<std::string>& changes);

}  // namespace berth::image

// What a registry holds for a reference without pulling it (GET
// /distribution/{name}/json): the manifest's descriptor and the platforms it offers.
#pragma once

#include <vector>

#include "base/result.hpp"
#include "image/manifest.hpp"
#include "image/platform.hpp"
#include "image/reference.hpp"
#include "registry/credentials.hpp"
#include "registry/repository.hpp"

namespace berth::registry {

struct DistributionInfo {
    image::Descriptor descriptor;           // media type, digest and size of the manifest
    std::vector<image::Platform> platforms;  // an index's entries, or the one image's
};

// Fetches the manifest `ref` names (tag "latest" when none) and, for a single
// image, its config for the platform.
Result<DistributionInfo> inspect_distribution(const image::Reference& ref, const AuthConfig& auth,
                                              const RepositoryOptions& opts);

}  // namespace berth::registry

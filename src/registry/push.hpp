// Pushing an image from the store to a registry: each layer uploaded unless the
// registry has it already (HEAD), then the config, then a Docker v2 schema 2
// manifest last, so the tag never points at blobs that are not there.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "image/image_store.hpp"
#include "image/reference.hpp"
#include "registry/credentials.hpp"
#include "registry/progress.hpp"
#include "registry/repository.hpp"

namespace berth::registry {

struct PushOptions {
    AuthConfig auth;
    RepositoryOptions repo;
};

struct PushResult {
    image::Digest manifest_digest;
    std::int64_t manifest_size = 0;
};

// Pushes the image `ref` names (tag "latest" when none) to `ref`'s repository.
// Layers stored uncompressed (docker save archives) are gzip-compressed to a
// temporary file first: the upload's digest must be known before its PUT.
Result<PushResult> push_image(image::ImageStore& store, const image::Reference& ref, const PushOptions& opts,
                              const ProgressFn& progress);

}  // namespace berth::registry

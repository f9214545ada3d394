// Pushing images from the store to a registry: each layer uploaded unless the
// registry has it already (HEAD) or can mount it from another repository where
// berth saw it, then the config, then a Docker v2 schema 2 manifest last, so the
// tag never points at blobs that are not there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
    std::string tag;
    std::string image_id;
    image::Digest manifest_digest;
    std::int64_t manifest_size = 0;
};

// Pushes the image `ref` names to `ref`'s repository; a reference without a tag
// pushes every tag the store has in that repository (dockerd's answer to a push
// with an empty tag, what `docker push --all-tags` sends), in tag order.
// Layers stored uncompressed (docker save archives) are gzip-compressed to a
// temporary file first: the upload's digest must be known before its PUT.
// Blobs pushed, mounted or found are recorded as held by the repository
// (ImageStore::record_blob_source), so later pushes elsewhere can mount them.
Result<std::vector<PushResult>> push_image(image::ImageStore& store, const image::Reference& ref,
                                           const PushOptions& opts, const ProgressFn& progress);

}  // namespace berth::registry

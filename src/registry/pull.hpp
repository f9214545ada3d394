// Pulling an image from a registry into the image store: the manifest (an index
// resolved for the platform), the config, and the layers fetched in parallel,
// each verified against its digest and unpacked while it streams in.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "image/image_store.hpp"
#include "image/platform.hpp"
#include "image/reference.hpp"
#include "registry/credentials.hpp"
#include "registry/progress.hpp"
#include "registry/repository.hpp"

namespace berth::registry {

struct PullOptions {
    image::Platform platform;  // empty architecture: the host's
    AuthConfig auth;
    RepositoryOptions repo;
    int parallel_layers = 3;
    // Docker Hub mirrors ("http://mirror:5000"), tried in order before Docker Hub
    // for docker.io references; the first that has the manifest serves the pull.
    // Mirrors get no credentials: those are Docker Hub's.
    std::vector<std::string> mirrors;
};

struct PullResult {
    std::string image_id;
    image::Digest manifest_digest;  // of the manifest pulled (the index's, for an index)
    bool downloaded = false;        // false: the image was already complete here
};

// Pulls `ref` (a tag, "latest" when none, or a digest). On success the image is
// committed, tagged (when pulled by tag) and its repo digest recorded. On failure
// nothing new is visible: staged layers are removed, unverified blobs never stored.
// Layer blobs that were verified stay in the content store, unreferenced, for
// image::kUnusedBlobGraceSeconds: a retry unpacks them from there instead of
// fetching them again (resume). Each pull first sweeps blobs unused for longer.
Result<PullResult> pull_image(image::ImageStore& store, const image::Reference& ref,
                              const PullOptions& opts, const ProgressFn& progress);

}  // namespace berth::registry

// The daemon's image operations: the image store's work plus what the engine adds
// around it — events for every change, and (with containers) the in-use checks.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "engine/daemon.hpp"
#include "image/archive.hpp"
#include "registry/credentials.hpp"
#include "registry/distribution.hpp"
#include "registry/progress.hpp"
#include "registry/repository.hpp"

namespace berth::engine {

using ImportRequest = image::ImportOptions;

class ImageService {
  public:
    explicit ImageService(Daemon& d) : d_(d) {}

    image::ImageStore& store() { return d_.images(); }
    // How many containers use the image.
    int containers_using(const std::string& image_id) const;

    Result<std::string> tag(std::string_view source, std::string_view target);
    Result<std::vector<image::DeleteItem>> remove(std::string_view name, bool force, bool noprune);
    Result<std::pair<std::vector<image::DeleteItem>, std::int64_t>> prune(
        bool all, const std::function<bool(const image::ImageSummary&)>& keep);
    Result<std::vector<std::string>> load(ByteReader& archive, const image::Progress& progress);
    Result<void> save(const std::vector<std::string>& names, ByteWriter& out);
    Result<std::string> import(ByteReader& rootfs, const ImportRequest& req);
    // Pulls `ref` from its registry (`platform` "" for the host's); returns the image ID.
    Result<std::string> pull(const image::Reference& ref, const std::string& platform,
                             const registry::AuthConfig& auth, const registry::ProgressFn& progress);
    // Pushes the image `ref` names to its registry.
    Result<void> push(const image::Reference& ref, const registry::AuthConfig& auth,
                      const registry::ProgressFn& progress);
    // Checks credentials against the registry `auth.server_address` names (POST /auth).
    Result<void> login(const registry::AuthConfig& auth);
    // The registry's manifest descriptor and platforms for `ref`, nothing pulled.
    Result<registry::DistributionInfo> distribution(const image::Reference& ref, const registry::AuthConfig& auth);

  private:
    registry::RepositoryOptions registry_options() const;
    // Notes that `ref`'s repository holds the layer blobs of image `image_id`
    // (just pulled from there), for cross-repository mounts when pushing.
    void record_layer_sources(const std::string& image_id, const image::Reference& ref);
    void publish(const std::string& action, const std::string& id, const std::string& name);
    // Events for what a removal or prune did; `id` names the image when `items`
    // only untag (they then carry no image ID).
    void publish_deletes(const std::string& id, const std::vector<image::DeleteItem>& items);
    image::ImageUseCheck use_check() const;

    Daemon& d_;
};

}  // namespace berth::engine

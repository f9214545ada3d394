// The image store: images by ID (the digest of their config), the names that point at
// them, and the layer snapshots they stand on. Blobs live in a ContentStore, each
// layer is unpacked once into its own snapshot directory (an overlayfs lower layer),
// and SQLite (Metadata) says what is complete and what references what.
//
// Everything a caller sees is complete: a load, import or pull stages its layers in
// <root>/staging and makes them visible in one metadata transaction at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "image/content_store.hpp"
#include "image/image_config.hpp"
#include "image/metadata.hpp"
#include "image/reference.hpp"

namespace berth::image {

struct ImageSummary {
    std::string id;
    std::vector<std::string> repo_tags;     // familiar: "busybox:latest"
    std::vector<std::string> repo_digests;  // familiar: "busybox@sha256:..."
    std::int64_t created = 0;               // unix seconds, from the config
    std::int64_t size = 0;                  // unpacked bytes of all layers
    std::int64_t added = 0;                 // when it entered this store
    std::map<std::string, std::string> labels;
    std::vector<std::string> chain;         // layer chain ids, base first
};

// One line of DELETE /images/{name}'s answer.
struct DeleteItem {
    std::string untagged;  // familiar reference
    std::string deleted;   // image ID, or a layer's chain id
    bool layer = false;    // `deleted` names a layer
};

// A container that uses an image, which therefore can't simply go.
struct ImageUse {
    std::string container_id;
    bool running = false;
};
// Asked by remove and prune; the engine answers from its containers.
using ImageUseCheck = std::function<std::optional<ImageUse>(const std::string& image_id)>;

// An unpacked layer waiting to become part of the store.
struct StagedLayer {
    std::string dir;   // directory under <root>/staging holding the layer's files
    Digest diff_id;    // digest of its uncompressed tar
    Digest blob;       // the blob kept for it in the content store
    std::string media_type;
    std::int64_t size = 0;  // unpacked bytes
};

// How long a blob nothing references is kept: the verified layers of a failed
// pull wait this long for the retry that resumes from them (registry/pull.hpp).
inline constexpr std::int64_t kUnusedBlobGraceSeconds = 24 * 3600;

// Called for progress lines ("Loading layer 3/7") by long operations.
using Progress = std::function<void(const std::string&)>;

class ImageStore {
  public:
    // Opens (creating) the store under `root` (<data-root>/image).
    static Result<std::unique_ptr<ImageStore>> open(const std::string& root);

    const std::string& root() const { return root_; }
    ContentStore& content() { return content_; }

    // A name as docker accepts it: a reference (tag or digest), a full or short ID.
    // Not found is ErrorKind::not_found "No such image: <name>".
    Result<std::string> resolve(std::string_view name);
    Result<ImageConfig> config(const std::string& id);
    Result<ImageSummary> summary(const std::string& id);
    Result<std::vector<ImageSummary>> list();

    // Points `target` (a reference, "latest" added if no tag) at the image `source` names.
    Result<std::string> tag(std::string_view source, std::string_view target);
    // docker rmi semantics: untag a name; delete the image when nothing else names it.
    Result<std::vector<DeleteItem>> remove(std::string_view name, bool force, bool noprune,
                                           const ImageUseCheck& in_use);
    // Deletes dangling images (no tags), or every image `in_use` doesn't claim when
    // `all`; `keep` can spare some (filters). Returns what went and bytes reclaimed.
    Result<std::pair<std::vector<DeleteItem>, std::int64_t>> prune(
        bool all, const ImageUseCheck& in_use, const std::function<bool(const ImageSummary&)>& keep);

    // Records `ref` (repository plus the manifest digest it was pulled or pushed
    // by) as a repo digest of image `id`, so RepoDigests lists it and `name@digest`
    // resolves to it.
    Result<void> set_repo_digest(const Reference& ref, const std::string& id);

    // Notes that the registry repository `repository` ("127.0.0.1:5000/app", a
    // Reference's repository()) holds blob `blob`, pulled from or pushed there; and
    // the repositories known to hold a blob, most recent first. A push to another
    // repository of the same registry can then mount the blob instead of uploading it.
    Result<void> record_blob_source(const Digest& blob, const std::string& repository);
    Result<std::vector<std::string>> blob_sources(const Digest& blob);

    // Stages: a fresh directory under staging/ (removed if not adopted) and layer
    // registration. `commit_image` makes the config, its layers and `tags` visible in
    // one transaction and removes staged dirs it didn't need.
    Result<std::string> new_staging_dir();
    Result<std::string> commit_image(const ImageConfig& cfg, std::vector<StagedLayer> staged,
                                     const std::vector<Reference>& tags);

    // Unpacks one layer streamed from `in` (plain, gzip or zstd tar) into a fresh
    // staging directory and stores the blob as it arrived. The caller owns the
    // result and must hand it to release_staged() when done, whether or not
    // commit_image adopted it. media_type is left for the caller to set.
    Result<StagedLayer> stage_layer(ByteReader& in);
    // The same in two steps, for callers that overlap them: stage_blob stores the
    // blob (and makes the staging directory); unpack_staged unpacks it from the
    // store into that directory, filling diff_id and size. unpack_staged touches
    // only its own layer, so several may run at once on different threads.
    Result<StagedLayer> stage_blob(ByteReader& in);
    Result<void> unpack_staged(StagedLayer& layer);
    // Ends a staged layer: removes its directory if commit_image didn't take it,
    // and its blob unless a registered layer (or another load staging the same
    // content) uses it, so a load that fails leaves no blob behind.
    void release_staged(const StagedLayer& layer);

    // Removes blobs that no image, layer, repo digest or staged load references
    // and that nobody stored or touched for `min_age_seconds`.
    Result<void> collect_unused_blobs(std::int64_t min_age_seconds);

    // Directories of the image's layers, base first (overlay lowerdir wants top first).
    Result<std::vector<std::string>> layer_dirs(const std::string& id);
    // The row of the layer with chain id `chain_id`.
    Result<LayerRow> layer(const std::string& chain_id);
    std::string snapshot_path(const std::string& snapshot) const;

    // Total bytes of layers, for /system/df.
    Result<std::int64_t> layers_size();

  private:
    ImageStore(std::string root, ContentStore content, std::unique_ptr<Metadata> md)
        : root_(std::move(root)), content_(std::move(content)), md_(std::move(md)) {}

    Result<std::vector<DeleteItem>> remove_locked(std::string_view name, bool force,
                                                  const ImageUseCheck& in_use);
    Result<std::string> resolve_locked(std::string_view name);
    Result<ImageSummary> summary_locked(const std::string& id);
    // Deletes the image row and config blob, then layers no image uses any more
    // (appending their chain ids to `out`, as docker reports them).
    // Returns the bytes of layers freed.
    Result<std::int64_t> delete_image_locked(const std::string& id, std::vector<DeleteItem>& out);
    Result<std::int64_t> collect_layers_locked(std::vector<DeleteItem>& out);
    // At open, before anyone uses the store: removes snapshot directories no
    // metadata row names (a daemon killed between a snapshot's rename and its
    // transaction) and unreferenced blobs older than kUnusedBlobGraceSeconds
    // (younger ones may be a failed pull's, kept for its retry).
    Result<void> collect_orphans();
    Result<void> collect_unused_blobs_locked(std::int64_t min_age_seconds);
    Result<std::string> next_snapshot_name_locked();

    std::string root_;
    ContentStore content_;
    std::unique_ptr<Metadata> md_;
    std::mutex mu_;  // metadata and snapshot directory changes
    std::map<std::string, int> staged_blobs_;  // blob digest → staged layers holding it
};

// The short ID docker prints: 12 hex digits without "sha256:".
std::string short_id(std::string_view id);

}  // namespace berth::image

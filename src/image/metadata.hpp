// The image store's metadata, in SQLite: which images exist, the names that point at
// them (tags and repo digests), and the layers (snapshots) they stand on. Blobs and
// snapshot directories live on disk; this is the index that says what is complete
// and what references what, so garbage collection never removes a live thing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "image/sqlite_db.hpp"

namespace berth::image {

struct ImageRow {
    std::string id;          // "sha256:<hex>", the digest of the config blob
    std::string top_layer;   // chain id of the image's top layer, "" for an image without layers
    std::int64_t size = 0;   // unpacked bytes of all its layers
    std::int64_t added = 0;  // unix seconds when it entered this store (Metadata.LastTagTime)
};

struct LayerRow {
    std::string chain_id;    // "sha256:..."
    std::string diff_id;     // digest of the uncompressed tar
    std::string parent;      // chain id of the layer below, "" for a base layer
    std::string snapshot;    // directory name under <root>/snapshots
    std::string blob;        // digest of the stored layer blob (as it arrived)
    std::string media_type;  // that blob's media type
    std::int64_t size = 0;   // unpacked bytes of this layer alone
};

class Metadata {
  public:
    static Result<std::unique_ptr<Metadata>> open(const std::string& path);

    SqliteDb& db() { return *db_; }

    Result<std::optional<ImageRow>> image(const std::string& id);
    Result<std::vector<ImageRow>> images();
    // Image IDs starting with `hex_prefix` (the hex part only).
    Result<std::vector<std::string>> images_with_prefix(const std::string& hex_prefix);
    Result<void> put_image(const ImageRow& row);
    Result<void> delete_image(const std::string& id);

    // Full references ("docker.io/library/busybox:latest") → image id.
    Result<std::optional<std::string>> tag_target(const std::string& ref);
    Result<std::vector<std::string>> tags_of(const std::string& image_id);
    Result<void> set_tag(const std::string& ref, const std::string& image_id);
    Result<bool> remove_tag(const std::string& ref);
    // Repo digests ("docker.io/library/busybox@sha256:...") work the same way.
    Result<std::optional<std::string>> digest_target(const std::string& ref);
    Result<std::vector<std::string>> digests_of(const std::string& image_id);
    Result<void> set_digest(const std::string& ref, const std::string& image_id);
    Result<bool> remove_digest(const std::string& ref);

    // Blob digest → repositories ("127.0.0.1:5000/app") it was pulled from or pushed
    // to, most recently `seen` (unix seconds) first: candidates for a blob mount.
    Result<void> add_blob_source(const std::string& blob, const std::string& repository,
                                 std::int64_t seen);
    Result<std::vector<std::string>> blob_sources(const std::string& blob);

    Result<std::optional<LayerRow>> layer(const std::string& chain_id);
    Result<std::vector<LayerRow>> layers();
    Result<void> put_layer(const LayerRow& row);
    Result<void> delete_layer(const std::string& chain_id);

  private:
    explicit Metadata(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
    std::unique_ptr<SqliteDb> db_;
};

}  // namespace berth::image

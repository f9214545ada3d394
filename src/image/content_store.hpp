// The content store: blobs (layers, configs, manifests) addressed by digest under
// <data-root>/content/blobs/sha256/<hex>, written through an ingest that verifies
// and commits atomically, as containerd's does. A blob, once visible, is complete
// and read-only; it never changes, so readers need no locks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "base/unique_fd.hpp"
#include "image/digest.hpp"

namespace berth::image {

// Streams one blob into the store. Nothing is visible until commit(); a writer
// destroyed before commit (an error, a dropped connection, a crash) leaves nothing.
class BlobWriter final : public ByteWriter {
  public:
    ~BlobWriter() override;
    BlobWriter(const BlobWriter&) = delete;
    BlobWriter& operator=(const BlobWriter&) = delete;

    // Appends to the blob; after a failed write the writer only fails.
    Result<void> write(std::string_view data) override;
    // Bytes written so far.
    std::uint64_t size() const { return size_; }
    // Syncs the data, checks it against the expected digest ("digest mismatch:
    // expected X, got Y" and nothing stored when it differs) and makes it visible
    // under its digest. A blob another writer committed first is kept as is.
    // The writer is spent afterwards, whether or not commit succeeded.
    Result<Digest> commit();

  private:
    friend class ContentStore;
    BlobWriter(UniqueFd fd, std::string temp_path, std::string blobs_dir,
               std::optional<Digest> expected, std::optional<std::uint64_t> expected_size);

    UniqueFd fd_;
    std::string temp_path_;  // "" for an unnamed O_TMPFILE file
    std::string blobs_dir_;
    std::optional<Digest> expected_;
    std::optional<std::uint64_t> expected_size_;
    Sha256 hash_;
    std::uint64_t size_ = 0;
    bool done_ = false;
};

class ContentStore {
  public:
    // Opens (creating) the store at `root` (<data-root>/content) and removes ingest
    // files a crashed writer left behind. One daemon owns a root at a time.
    static Result<ContentStore> open(std::string root);

    // A writer for a new blob; with `expected`, commit() refuses other content.
    // With `expected_size` (a descriptor's size), a write past it fails at once, so
    // a registry that sends too much is cut off early (descriptor.md, "Size"), and
    // commit() refuses a short blob.
    Result<std::unique_ptr<BlobWriter>> writer(
        std::optional<Digest> expected = std::nullopt,
        std::optional<std::uint64_t> expected_size = std::nullopt);
    // Writes a whole blob held in memory (a manifest, a config); returns its digest.
    Result<Digest> write_blob(std::string_view data);

    bool exists(const Digest& d) const;
    Result<std::uint64_t> size(const Digest& d) const;
    Result<UniqueFd> open_blob(const Digest& d) const;
    // The blob's content, refusing blobs larger than `limit` (JSON documents).
    Result<std::string> read_blob(const Digest& d, std::size_t limit) const;
    // Removes a blob; removing one that is absent is an error (ENOENT).
    Result<void> remove(const Digest& d);
    // When the blob was stored or last touched, in unix seconds.
    Result<std::int64_t> modified(const Digest& d) const;
    // Sets the blob's modification time to now: a use that a grace period counts from.
    Result<void> touch(const Digest& d);
    // Every stored blob, in digest order.
    Result<std::vector<Digest>> list() const;

    std::string blob_path(const Digest& d) const;
    const std::string& root() const { return root_; }

  private:
    explicit ContentStore(std::string root);
    std::string blobs_dir(const std::string& algorithm) const;
    std::string ingest_dir() const;

    std::string root_;
};

}  // namespace berth::image

#include "registry/push.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "base/file.hpp"
#include "base/json.hpp"
#include "image/decompress.hpp"
#include "image/hashing_stream.hpp"
#include "image/image_config.hpp"
#include "image/media_types.hpp"

namespace berth::registry {

namespace {

namespace mt = image::media_type;

constexpr int kUploadAttempts = 3;  // a connection dropped mid-upload restarts the layer

std::string short_hex(const image::Digest& d) { return d.hex.substr(0, 12); }

// A layer as it goes to the registry: a gzip blob and where its bytes are.
struct PushBlob {
    image::Digest digest;
    std::int64_t size = 0;
    std::string path;        // a content-store blob, or a temporary under staging
    std::string mount_from;  // another repository of the registry known to hold it, or ""
};

// One tag's image, its layers ready to go (progress id = short diff_id, blob).
struct PreparedTag {
    image::Reference ref;
    std::string image_id;
    image::ImageConfig config;
    std::vector<std::pair<std::string, PushBlob*>> layers;
};

// Stored gzip blobs go as they are; anything else is recompressed with gzip
// into `tmp_dir` (registries and docker expect tar+gzip layers in a v2s2 manifest).
Result<PushBlob> layer_blob(image::ImageStore& store, const image::LayerRow& row, const std::string& tmp_dir) {
    auto blob = BERTH_TRY(image::parse_digest(row.blob));
    if (row.media_type == mt::kDockerLayerGzip || row.media_type == mt::kOciLayerGzip) {
        auto size = BERTH_TRY(store.content().size(blob));
        return PushBlob{blob, static_cast<std::int64_t>(size), store.content().blob_path(blob), ""};
    }
    auto src = BERTH_TRY(store.content().open_blob(blob));
    FdReader raw(src.get());
    auto tar = BERTH_TRY(image::open_decompressed(raw));
    std::string path = tmp_dir + "/" + blob.hex + ".tar.gz";
    auto out = BERTH_TRY(open_fd(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    FdWriter file(out.get());
    image::HashingWriter hashed(file);
    auto gz = image::make_gzip_writer(hashed);
    BERTH_TRYV(copy_stream(*tar, *gz));
    BERTH_TRYV(gz->finish());
    return PushBlob{hashed.finish(), static_cast<std::int64_t>(hashed.count()), path, ""};
}

// The tags to push: ref's own, or every tag of its repository in the store,
// sorted. dockerd's errors: a repository with no tags at all, a tag not there.
Result<std::vector<std::string>> tags_to_push(image::ImageStore& store,
                                              const image::Reference& ref) {
    std::set<std::string> tags;
    for (const auto& image : BERTH_TRY(store.list()))
        for (const auto& name : image.repo_tags)
            if (auto r = image::parse_reference(name); r && r->repository() == ref.repository())
                tags.insert(r->tag);
    if (tags.empty())
        return fail_as(ErrorKind::not_found, "An image does not exist locally with the tag: " +
                                                 ref.familiar_repository());
    if (ref.tag.empty()) return std::vector<std::string>(tags.begin(), tags.end());
    if (!tags.contains(ref.tag))
        return fail_as(ErrorKind::not_found, "tag does not exist: " + ref.familiar());
    return std::vector<std::string>{ref.tag};
}

// A repository of the same registry (not `ref`'s own) the store saw `blob` in,
// the most recent first; "" when there is none.
Result<std::string> mount_source(image::ImageStore& store, const image::Digest& blob,
                                 const image::Reference& ref) {
    for (const auto& repo : BERTH_TRY(store.blob_sources(blob))) {
        auto source = image::parse_reference(repo);
        if (source && source->domain == ref.domain && source->path != ref.path) return source->path;
    }
    return std::string();
}

// Every tag's image and layers; each distinct layer blob made once (`blobs`, by
// the stored blob's digest) and given its mount source.
Result<std::vector<PreparedTag>> prepare(image::ImageStore& store, const image::Reference& repo_ref,
                                         const std::vector<std::string>& tags,
                                         const std::string& tmp_dir,
                                         std::map<std::string, PushBlob>& blobs) {
    std::vector<PreparedTag> out;
    for (const auto& tag : tags) {
        PreparedTag t{.ref = repo_ref};
        t.ref.tag = tag;
        t.image_id = BERTH_TRY(store.resolve(t.ref.familiar()));
        t.config = BERTH_TRY(store.config(t.image_id));
        for (const auto& chain : BERTH_TRY(store.summary(t.image_id)).chain) {
            auto row = BERTH_TRY(store.layer(chain));
            auto it = blobs.find(row.blob);
            if (it == blobs.end()) {
                auto blob = BERTH_TRY(
                    with_context(layer_blob(store, row, tmp_dir), "layer " + row.diff_id));
                blob.mount_from = BERTH_TRY(mount_source(store, blob.digest, repo_ref));
                it = blobs.emplace(row.blob, std::move(blob)).first;
            }
            t.layers.emplace_back(short_hex(BERTH_TRY(image::parse_digest(row.diff_id))),
                                  &it->second);
        }
        out.push_back(std::move(t));
    }
    return out;
}

// The upload of one layer into a fresh session: mounted if `b.mount_from` allows.
Result<void> upload_layer_once(Repository& repo, const PushBlob& b, const std::string& id,
                               const ProgressFn& progress) {
    auto upload = repo.start_upload(b.digest, b.mount_from);
    // A mount the registry refuses outright (the source is not readable with these
    // credentials, or the registry wants no mount parameters) is no reason to
    // fail the push: upload instead, as docker does. Network failures stand.
    if (!upload && !b.mount_from.empty() && upload.error().kind != ErrorKind::unavailable)
        upload = repo.start_upload(b.digest);
    if (!upload) return std::unexpected(upload.error());
    if (upload->mounted) {
        progress({id, "Mounted from " + b.mount_from});
        return {};
    }
    progress({id, "Pushing", 0, b.size});
    auto fd = BERTH_TRY(open_fd(b.path, O_RDONLY | O_CLOEXEC));
    FdReader file(fd.get());
    ProgressReader counted(file, id, "Pushing", b.size, progress);
    BERTH_TRYV(repo.write_upload(*upload, b.digest, static_cast<std::uint64_t>(b.size), counted));
    progress({id, "Pushed"});
    return {};
}

Result<void> push_blob(Repository& repo, const PushBlob& b, const std::string& id,
                       const ProgressFn& progress) {
    if (BERTH_TRY(repo.blob_exists(b.digest))) {
        progress({id, "Layer already exists"});
        return {};
    }
    for (int attempt = 1;; ++attempt) {
        auto done = upload_layer_once(repo, b, id, progress);
        // A connection that broke mid-upload is worth a new session from the start;
        // a registry's refusal is not.
        if (done || done.error().kind != ErrorKind::unavailable || attempt == kUploadAttempts)
            return done;
        progress({id, "Retrying in " + std::to_string(attempt) +
                          (attempt == 1 ? " second" : " seconds")});
        std::this_thread::sleep_for(std::chrono::seconds(attempt));
    }
}

std::string manifest_json(const image::ImageConfig& cfg,
                          const std::vector<std::pair<std::string, PushBlob*>>& layers) {
    Json m = {{"schemaVersion", 2},
              {"mediaType", mt::kDockerManifest},
              {"config",
               {{"mediaType", mt::kDockerConfig},
                {"size", cfg.raw.size()},
                {"digest", image::sha256_of(cfg.raw).str()}}},
              {"layers", Json::array()}};
    for (const auto& [id, l] : layers)
        m["layers"].push_back(
            {{"mediaType", mt::kDockerLayerGzip}, {"size", l->size}, {"digest", l->digest.str()}});
    return m.dump(3);
}

// Layers, config, then the manifest of one tag (docker's order and messages).
Result<PushResult> push_tag(image::ImageStore& store, Repository& repo, const PreparedTag& t,
                            const ProgressFn& progress) {
    auto ctx = [&](auto r) { return with_context(std::move(r), "push " + t.ref.familiar()); };
    for (const auto& [id, blob] : t.layers) progress({id, "Preparing"});
    for (const auto& [id, blob] : t.layers) {
        BERTH_TRYV(
            ctx(with_context(push_blob(repo, *blob, id, progress), "layer " + blob->digest.str())));
        BERTH_TRYV(store.record_blob_source(blob->digest, t.ref.repository()));
    }
    const auto& raw = t.config.raw;
    auto cfg_digest = image::sha256_of(raw);
    if (!BERTH_TRY(ctx(repo.blob_exists(cfg_digest)))) {
        StringReader cfg_bytes(raw);
        BERTH_TRYV(
            ctx(with_context(repo.upload_blob(cfg_digest, raw.size(), cfg_bytes), "image config")));
    }
    std::string manifest = manifest_json(t.config, t.layers);
    auto digest = BERTH_TRY(ctx(repo.put_manifest(t.ref.tag, mt::kDockerManifest, manifest)));
    image::Reference by_digest = t.ref;
    by_digest.digest = digest;
    BERTH_TRYV(store.set_repo_digest(by_digest, t.image_id));
    progress({"", t.ref.tag + ": digest: " + digest.str() +
                      " size: " + std::to_string(manifest.size())});
    return PushResult{t.ref.tag, t.image_id, digest, static_cast<std::int64_t>(manifest.size())};
}

}  // namespace

Result<std::vector<PushResult>> push_image(image::ImageStore& store, const image::Reference& ref,
                                           const PushOptions& opts, const ProgressFn& progress) {
    if (ref.digest) return fail_as(ErrorKind::invalid_argument, "cannot push a digest reference");
    // dockerd says which repository first, then whether there is anything to push:
    // a missing image is an error in the stream, not an HTTP status.
    progress({"", "The push refers to repository [" + ref.familiar_repository() + "]"});
    auto tags = BERTH_TRY(tags_to_push(store, ref));
    image::Reference repo_ref = ref;
    repo_ref.tag.clear();
    auto tmp_dir = BERTH_TRY(store.new_staging_dir());
    struct RemoveTmp {
        std::string dir;
        ~RemoveTmp() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } remove_tmp{tmp_dir};
    std::map<std::string, PushBlob> blobs;
    auto prepared = BERTH_TRY(with_context(prepare(store, repo_ref, tags, tmp_dir, blobs),
                                           "push " + ref.familiar_repository()));
    std::vector<std::string> sources;
    for (const auto& [stored, blob] : blobs)
        if (!blob.mount_from.empty() &&
            std::ranges::find(sources, blob.mount_from) == sources.end())
            sources.push_back(blob.mount_from);
    Repository repo(repo_ref, opts.auth, Access::push, opts.repo, sources);
    std::vector<PushResult> results;
    for (const auto& t : prepared) results.push_back(BERTH_TRY(push_tag(store, repo, t, progress)));
    return results;
}

}  // namespace berth::registry

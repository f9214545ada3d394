#include "registry/push.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.hpp"
#include "base/json.hpp"
#include "image/decompress.hpp"
#include "image/hashing_stream.hpp"
#include "image/image_config.hpp"
#include "image/media_types.hpp"

namespace berth::registry {

namespace {

namespace mt = image::media_type;

std::string short_hex(const image::Digest& d) { return d.hex.substr(0, 12); }

// A layer as it goes to the registry: a gzip blob and where its bytes are.
struct PushBlob {
    image::Digest digest;
    std::int64_t size = 0;
    std::string path;  // a content-store blob, or a temporary under staging
};

// Stored gzip blobs go as they are; anything else is recompressed with gzip
// into `tmp_dir` (registries and docker expect tar+gzip layers in a v2s2 manifest).
Result<PushBlob> layer_blob(image::ImageStore& store, const image::LayerRow& row, const std::string& tmp_dir) {
    auto blob = BERTH_TRY(image::parse_digest(row.blob));
    if (row.media_type == mt::kDockerLayerGzip || row.media_type == mt::kOciLayerGzip) {
        auto size = BERTH_TRY(store.content().size(blob));
        return PushBlob{blob, static_cast<std::int64_t>(size), store.content().blob_path(blob)};
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
    return PushBlob{hashed.finish(), static_cast<std::int64_t>(hashed.count()), path};
}

Result<void> push_blob(Repository& repo, const PushBlob& b, const std::string& id, const ProgressFn& progress) {
    if (BERTH_TRY(repo.blob_exists(b.digest))) {
        progress({id, "Layer already exists"});
        return {};
    }
    progress({id, "Pushing", 0, b.size});
    auto fd = BERTH_TRY(open_fd(b.path, O_RDONLY | O_CLOEXEC));
    FdReader in(fd.get());
    BERTH_TRYV(repo.upload_blob(b.digest, static_cast<std::uint64_t>(b.size), in));
    progress({id, "Pushed"});
    return {};
}

std::string manifest_json(const image::ImageConfig& cfg, const std::vector<PushBlob>& layers) {
    Json m = {{"schemaVersion", 2},
              {"mediaType", mt::kDockerManifest},
              {"config",
               {{"mediaType", mt::kDockerConfig},
                {"size", cfg.raw.size()},
                {"digest", image::sha256_of(cfg.raw).str()}}},
              {"layers", Json::array()}};
    for (const auto& l : layers)
        m["layers"].push_back({{"mediaType", mt::kDockerLayerGzip}, {"size", l.size}, {"digest", l.digest.str()}});
    return m.dump(3);
}

}  // namespace

Result<PushResult> push_image(image::ImageStore& store, const image::Reference& ref_in, const PushOptions& opts,
                              const ProgressFn& progress) {
    if (ref_in.digest) return fail_as(ErrorKind::invalid_argument, "cannot push a digest reference");
    image::Reference ref = image::with_default_tag(ref_in);
    auto ctx = [&](auto r) { return with_context(std::move(r), "push " + ref.familiar()); };
    auto id = BERTH_TRY(store.resolve(ref.familiar()));
    auto cfg = BERTH_TRY(store.config(id));
    auto summary = BERTH_TRY(store.summary(id));
    progress({"", "The push refers to repository [" + ref.familiar_repository() + "]"});
    Repository repo(ref, opts.auth, Access::push, opts.repo);
    auto tmp_dir = BERTH_TRY(store.new_staging_dir());
    struct RemoveTmp {
        std::string dir;
        ~RemoveTmp() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } remove_tmp{tmp_dir};
    std::vector<image::LayerRow> rows;
    for (const auto& chain : summary.chain) {
        rows.push_back(BERTH_TRY(store.layer(chain)));
        progress({short_hex(BERTH_TRY(image::parse_digest(rows.back().diff_id))), "Preparing"});
    }
    std::vector<PushBlob> blobs;
    for (const auto& row : rows) {
        auto diff = BERTH_TRY(image::parse_digest(row.diff_id));
        auto blob = BERTH_TRY(ctx(with_context(layer_blob(store, row, tmp_dir), "layer " + row.diff_id)));
        BERTH_TRYV(ctx(with_context(push_blob(repo, blob, short_hex(diff), progress), "layer " + row.diff_id)));
        blobs.push_back(std::move(blob));
    }
    auto cfg_digest = image::sha256_of(cfg.raw);
    if (!BERTH_TRY(ctx(repo.blob_exists(cfg_digest)))) {
        StringReader cfg_bytes(cfg.raw);
        BERTH_TRYV(ctx(with_context(repo.upload_blob(cfg_digest, cfg.raw.size(), cfg_bytes), "image config")));
    }
    std::string manifest = manifest_json(cfg, blobs);
    auto digest = BERTH_TRY(ctx(repo.put_manifest(ref.tag, mt::kDockerManifest, manifest)));
    image::Reference by_digest = ref;
    by_digest.digest = digest;
    BERTH_TRYV(store.set_repo_digest(by_digest, id));
    progress({"", ref.tag + ": digest: " + digest.str() + " size: " + std::to_string(manifest.size())});
    return PushResult{digest, static_cast<std::int64_t>(manifest.size())};
}

}  // namespace berth::registry

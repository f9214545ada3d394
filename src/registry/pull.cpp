#include "registry/pull.hpp"

#include <fcntl.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "base/file.hpp"
#include "base/log.hpp"
#include "image/image_config.hpp"
#include "image/layer_apply.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"

namespace berth::registry {

namespace {

constexpr std::size_t kConfigLimit = 16 << 20;
constexpr int kLayerAttempts = 3;  // a dropped connection restarts the layer

std::string short_hex(const image::Digest& d) { return d.hex.substr(0, 12); }

// Staged layer directories of one pull, removed unless the image took them.
struct Staging {
    std::mutex mu;
    std::vector<std::string> dirs;
    ~Staging() {
        std::error_code ec;
        for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
    void add(const std::string& d) {
        std::lock_guard lock(mu);
        dirs.push_back(d);
    }
};

// Unpacks a layer's blob bytes from `in` into a new staging directory; `verify`
// runs once they are unpacked and returns the digest of the blob kept for it.
Result<image::StagedLayer> unpack_layer(image::ImageStore& store, Staging& staging,
                                        const image::Descriptor& d, const image::Digest& diff_id,
                                        ByteReader& in,
                                        const std::function<Result<image::Digest>()>& verify) {
    image::StagedLayer layer;
    layer.dir = BERTH_TRY(store.new_staging_dir());
    staging.add(layer.dir);
    auto dirfd = BERTH_TRY(open_fd(layer.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    auto applied = BERTH_TRY(image::apply_layer(in, dirfd.get()));
    layer.blob = BERTH_TRY(verify());
    if (applied.diff_id != diff_id)
        return fail("uncompressed content has digest " + applied.diff_id.str() + " but the image config says " +
                    diff_id.str());
    layer.diff_id = applied.diff_id;
    layer.media_type = d.media_type;
    layer.size = static_cast<std::int64_t>(applied.unpacked_size);
    return layer;
}

// A layer whose blob an earlier, failed pull verified and kept: unpacked from the
// content store, no request made. Touching the blob restarts its grace period, so
// a sweep does not take it while the image is being committed.
Result<image::StagedLayer> stage_kept_layer(image::ImageStore& store, Staging& staging,
                                            const image::Descriptor& d,
                                            const image::Digest& diff_id,
                                            const ProgressFn& progress) {
    BERTH_TRYV(store.content().touch(d.digest));
    auto blob = BERTH_TRY(store.content().open_blob(d.digest));
    FdReader in(blob.get());
    return unpack_layer(store, staging, d, diff_id, in, [&]() -> Result<image::Digest> {
        progress({short_hex(d.digest), "Download complete"});
        return d.digest;
    });
}

// One attempt at a layer: download, verify, unpack, all in one pass over the bytes.
Result<image::StagedLayer> fetch_layer_once(Repository& repo, image::ImageStore& store,
                                            Staging& staging, const image::Descriptor& d,
                                            const image::Digest& diff_id,
                                            const ProgressFn& progress) {
    auto resp = BERTH_TRY(repo.blob(d.digest));
    // The writer refuses bytes past the descriptor's size and, at commit, content
    // whose digest differs: the blob is verified on the same pass that unpacks it.
    auto blob = BERTH_TRY(store.content().writer(d.digest, static_cast<std::uint64_t>(d.size)));
    ProgressReader counted(resp.body(), short_hex(d.digest), "Downloading", d.size, progress);
    TeeReader tee(counted, *blob);
    return unpack_layer(store, staging, d, diff_id, tee, [&]() -> Result<image::Digest> {
        // Whatever follows the compressed stream still counts towards the digest.
        char sink[16384];
        while (BERTH_TRY(tee.read(sink, sizeof sink)) > 0) {
        }
        progress({short_hex(d.digest), "Verifying Checksum"});
        auto got = BERTH_TRY(blob->commit());
        progress({short_hex(d.digest), "Download complete"});
        return got;
    });
}

Result<image::StagedLayer> fetch_layer(Repository& repo, image::ImageStore& store, Staging& staging,
                                       const image::Descriptor& d, const image::Digest& diff_id,
                                       const ProgressFn& progress) {
    if (store.content().exists(d.digest))
        return stage_kept_layer(store, staging, d, diff_id, progress);
    for (int attempt = 1;; ++attempt) {
        auto layer = fetch_layer_once(repo, store, staging, d, diff_id, progress);
        // Only a network failure is worth another try; bad content stays bad.
        if (layer || layer.error().kind != ErrorKind::unavailable || attempt == kLayerAttempts) return layer;
        progress({short_hex(d.digest), "Retrying in " + std::to_string(attempt) + (attempt == 1 ? " second" : " seconds")});
        std::this_thread::sleep_for(std::chrono::seconds(attempt));
    }
}

// Fetches the layers `todo` names (indexes into the manifest) on `parallel` threads.
Result<std::vector<image::StagedLayer>> fetch_layers(Repository& repo, image::ImageStore& store, Staging& staging,
                                                     const image::Manifest& m, const image::ImageConfig& cfg,
                                                     const std::vector<std::size_t>& todo, int parallel,
                                                     const ProgressFn& progress) {
    std::vector<image::StagedLayer> staged(todo.size());
    std::vector<std::optional<Error>> errors(todo.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&] {
        for (std::size_t k; !failed && (k = next++) < todo.size();) {
            std::size_t i = todo[k];
            auto r = fetch_layer(repo, store, staging, m.layers[i], cfg.rootfs.diff_ids[i], progress);
            if (r) {
                progress({short_hex(m.layers[i].digest), "Pull complete"});
                staged[k] = std::move(*r);
            } else {
                errors[k] = std::move(r.error()).context("layer " + std::to_string(i + 1) + " (" +
                                                         m.layers[i].digest.str() + ")");
                failed = true;
            }
        }
    };
    std::vector<std::thread> threads;
    int n = std::max(1, std::min<int>(parallel, static_cast<int>(todo.size())));
    for (int t = 1; t < n; ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    for (auto& e : errors)
        if (e) return std::unexpected(std::move(*e));
    return staged;
}

// The image manifest `ref` names for `platform`, resolving an index; `top` is
// what the tag points at (its digest is the repo digest docker records).
struct Resolved {
    FetchedManifest top;
    image::Manifest manifest;
};

Result<Resolved> resolve_manifest(Repository& repo, std::string_view tag_or_digest, const image::Platform& platform) {
    Resolved r;
    r.top = BERTH_TRY(repo.manifest(tag_or_digest));
    std::string bytes = r.top.bytes;
    for (int depth = 0;; ++depth) {
        auto kind = BERTH_TRY(image::detect_manifest_kind(bytes));
        if (!image::is_index_kind(kind)) break;
        if (depth == 2) return fail("manifest indexes nested too deeply");
        auto index = BERTH_TRY(image::parse_index(bytes));
        auto chosen = BERTH_TRY(image::select_manifest(index, platform));
        bytes = BERTH_TRY(repo.manifest(chosen.digest.str())).bytes;
    }
    r.manifest = BERTH_TRY(image::parse_manifest(std::move(bytes)));
    return r;
}

// The layers not yet in the store: a layer whose chain exists is there with
// everything below it.
Result<std::vector<std::size_t>> missing_layers(image::ImageStore& store, const image::Manifest& m,
                                                const image::ImageConfig& cfg, const ProgressFn& progress) {
    auto chains = image::chain_ids(cfg.rootfs.diff_ids);
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        if (store.layer(chains[i].str())) {
            progress({short_hex(m.layers[i].digest), "Already exists"});
            continue;
        }
        if (!image::media_type::is_layer(m.layers[i].media_type) ||
            image::media_type::is_foreign_layer(m.layers[i].media_type))
            return fail("layer " + std::to_string(i + 1) + " has media type \"" + m.layers[i].media_type +
                        "\", which berth does not pull");
        progress({short_hex(m.layers[i].digest), "Pulling fs layer"});
        todo.push_back(i);
    }
    return todo;
}

Result<image::ImageConfig> fetch_config(Repository& repo, const image::Manifest& m) {
    auto raw = BERTH_TRY(with_context(repo.blob_bytes(m.config.digest, kConfigLimit), "image config"));
    auto cfg = BERTH_TRY(with_context(image::parse_image_config(std::move(raw)), "image config"));
    if (cfg.rootfs.diff_ids.size() != m.layers.size())
        return fail("the manifest lists " + std::to_string(m.layers.size()) + " layers but the image config has " +
                    std::to_string(cfg.rootfs.diff_ids.size()));
    return cfg;
}

// The registries to ask, in order: for docker.io, each mirror then Docker Hub.
Result<std::vector<RepositoryOptions>> endpoints(const image::Reference& ref,
                                                 const PullOptions& opts) {
    std::vector<RepositoryOptions> out;
    if (ref.domain == "docker.io") {
        for (const auto& m : opts.mirrors) {
            RepositoryOptions mirror = opts.repo;
            mirror.endpoint = BERTH_TRY(with_context(parse_url(m), "registry mirror"));
            out.push_back(std::move(mirror));
        }
    }
    out.push_back(opts.repo);
    return out;
}

// The first endpoint that resolves the manifest, with the session that did it.
// A mirror's failure (down, or without the image) moves on to the next; the
// origin's is the pull's.
Result<std::pair<std::unique_ptr<Repository>, Resolved>> open_repository(
    const image::Reference& ref, std::string_view wanted, const image::Platform& platform,
    const PullOptions& opts) {
    auto options = BERTH_TRY(endpoints(ref, opts));
    for (std::size_t i = 0;; ++i) {
        bool mirror = i + 1 < options.size();
        auto repo = std::make_unique<Repository>(ref, mirror ? AuthConfig{} : opts.auth,
                                                 Access::pull, options[i]);
        auto resolved = resolve_manifest(*repo, wanted, platform);
        if (resolved) return std::pair{std::move(repo), std::move(*resolved)};
        if (!mirror) return std::unexpected(std::move(resolved.error()));
        log::info("pull " + ref.familiar() + ": mirror " + options[i].endpoint->origin() + ": " +
                  resolved.error().message + "; trying the next");
    }
}

}  // namespace

Result<PullResult> pull_image(image::ImageStore& store, const image::Reference& ref_in, const PullOptions& opts,
                              const ProgressFn& progress) {
    image::Reference ref = image::with_default_tag(ref_in);
    std::string wanted = ref.digest ? ref.digest->str() : ref.tag;
    auto ctx = [&](auto r) { return with_context(std::move(r), "pull " + ref.familiar()); };
    image::Platform platform = opts.platform.architecture.empty() ? image::host_platform() : opts.platform;
    if (auto swept = store.collect_unused_blobs(image::kUnusedBlobGraceSeconds); !swept)
        log::warn("sweep unused blobs: " + swept.error().message);
    auto [session, resolved] =
        BERTH_TRY(open_repository(ref, wanted, platform, opts));  // its errors name the image
    Repository& repo = *session;
    // First progress only now, as dockerd: an unknown tag is still an HTTP 404.
    progress({wanted, "Pulling from " + ref.path, -1, -1, true});
    const auto& m = resolved.manifest;
    auto cfg = BERTH_TRY(ctx(fetch_config(repo, m)));
    auto todo = BERTH_TRY(ctx(missing_layers(store, m, cfg, progress)));
    Staging staging;
    auto staged = BERTH_TRY(ctx(fetch_layers(repo, store, staging, m, cfg, todo, opts.parallel_layers, progress)));
    // Docker says "Downloaded newer image" when the name now points somewhere new.
    auto before = store.resolve(ref.str());
    bool existed = before && *before == cfg.id().str();
    std::vector<image::Reference> tags;
    if (!ref.digest) tags.push_back(ref);
    PullResult result;
    result.image_id = BERTH_TRY(ctx(store.commit_image(cfg, std::move(staged), tags)));
    result.manifest_digest = resolved.top.digest;
    result.downloaded = !existed || !todo.empty();
    image::Reference by_digest = ref;
    by_digest.digest = resolved.top.digest;
    BERTH_TRYV(ctx(store.set_repo_digest(by_digest, result.image_id)));
    progress({"", "Digest: " + resolved.top.digest.str()});
    progress({"", std::string(result.downloaded ? "Status: Downloaded newer image for "
                                                : "Status: Image is up to date for ") + ref.familiar()});
    return result;
}

}  // namespace berth::registry

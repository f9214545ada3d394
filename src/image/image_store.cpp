#include "image/image_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <ctime>
#include <filesystem>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_exit.hpp"
#include "base/time.hpp"
#include "image/layer_apply.hpp"

namespace berth::image {

namespace {

constexpr std::size_t kConfigLimit = 8 << 20;  // an image config is a few KiB

std::int64_t now_seconds() { return static_cast<std::int64_t>(time(nullptr)); }

// Removes a directory tree; logs instead of failing, for clean-up paths.
void remove_tree(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) log::warn("remove " + path + ": " + ec.message());
}

std::vector<std::string> familiar_all(const std::vector<std::string>& refs) {
    std::vector<std::string> out;
    for (const auto& r : refs) {
        auto parsed = parse_reference(r);
        out.push_back(parsed ? parsed->familiar() : r);
    }
    return out;
}

}  // namespace

std::string short_id(std::string_view id) {
    if (id.starts_with("sha256:")) id.remove_prefix(7);
    return std::string(id.substr(0, 12));
}

Result<std::unique_ptr<ImageStore>> ImageStore::open(const std::string& root) {
    for (const char* sub : {"", "/snapshots", "/staging"})
        BERTH_TRYV_CTX(mkdir_p(root + sub, 0700), "create image store " + root);
    // Staged layers of a load or pull the daemon died in the middle of.
    auto staging = root + "/staging";
    for (const auto& entry : std::filesystem::directory_iterator(staging))
        remove_tree(entry.path());
    auto content = BERTH_TRY(ContentStore::open(root + "/content"));
    auto md = BERTH_TRY(Metadata::open(root + "/metadata.db"));
    std::unique_ptr<ImageStore> store(new ImageStore(root, std::move(content), std::move(md)));
    BERTH_TRYV_CTX(store->collect_orphans(), "collect what an interrupted load left in " + root);
    return store;
}

std::string ImageStore::snapshot_path(const std::string& snapshot) const {
    return root_ + "/snapshots/" + snapshot;
}

Result<std::string> ImageStore::resolve(std::string_view name) {
    std::lock_guard lock(mu_);
    return resolve_locked(name);
}

Result<std::string> ImageStore::resolve_locked(std::string_view name) {
    auto not_found = [&] {
        return fail_as(ErrorKind::not_found, "No such image: " + std::string(name));
    };
    if (name.starts_with("sha256:") && name.size() == 71) {
        if (BERTH_TRY(md_->image(std::string(name)))) return std::string(name);
        return not_found();
    }
    if (auto ref = parse_reference(name)) {
        if (ref->digest) {
            Reference by_digest = *ref;
            by_digest.tag.clear();
            if (auto id = BERTH_TRY(md_->digest_target(by_digest.str()))) return *id;
        } else if (auto id = BERTH_TRY(md_->tag_target(with_default_tag(*ref).str()))) {
            return *id;
        }
    }
    if (auto prefix = image_id_prefix(name)) {
        auto ids = BERTH_TRY(md_->images_with_prefix(*prefix));
        if (ids.size() == 1) return ids.front();
        if (ids.size() > 1)
            return fail_as(ErrorKind::invalid_argument,
                           "multiple IDs found with provided prefix: " + std::string(name));
    }
    if (!parse_reference(name) && !image_id_prefix(name))
        return fail_as(ErrorKind::invalid_argument,
                       "invalid reference format: " + std::string(name));
    return not_found();
}

Result<ImageConfig> ImageStore::config(const std::string& id) {
    auto digest = BERTH_TRY(parse_digest(id));
    auto raw = BERTH_TRY(with_context(content_.read_blob(digest, kConfigLimit),
                                      "read config of image " + short_id(id)));
    return with_context(parse_image_config(std::move(raw)), "image " + short_id(id));
}

Result<ImageSummary> ImageStore::summary(const std::string& id) {
    std::lock_guard lock(mu_);
    return summary_locked(id);
}

Result<ImageSummary> ImageStore::summary_locked(const std::string& id) {
    auto row = BERTH_TRY(md_->image(id));
    if (!row) return fail_as(ErrorKind::not_found, "No such image: " + id);
    auto cfg = BERTH_TRY(config(id));
    ImageSummary s;
    s.id = id;
    s.repo_tags = familiar_all(BERTH_TRY(md_->tags_of(id)));
    s.repo_digests = familiar_all(BERTH_TRY(md_->digests_of(id)));
    if (auto t = parse_rfc3339_nanos(cfg.created)) s.created = *t / 1'000'000'000;
    s.size = row->size;
    s.added = row->added;
    s.labels = cfg.config.labels;
    for (const auto& c : chain_ids(cfg.rootfs.diff_ids)) s.chain.push_back(c.str());
    return s;
}

Result<std::vector<ImageSummary>> ImageStore::list() {
    std::lock_guard lock(mu_);
    std::vector<ImageSummary> out;
    for (const auto& row : BERTH_TRY(md_->images())) out.push_back(BERTH_TRY(summary_locked(row.id)));
    return out;
}

Result<std::string> ImageStore::tag(std::string_view source, std::string_view target) {
    auto ref = BERTH_TRY(parse_reference(target));
    if (ref.digest)
        return fail_as(ErrorKind::invalid_argument,
                       "refusing to create a tag with a digest reference");
    ref = with_default_tag(std::move(ref));
    std::lock_guard lock(mu_);
    auto id = BERTH_TRY(resolve_locked(source));
    BERTH_TRYV(md_->set_tag(ref.str(), id));
    return id;
}

Result<void> ImageStore::set_repo_digest(const Reference& ref, const std::string& id) {
    if (!ref.digest) return fail("repo digest " + ref.str() + " names no digest");
    Reference by_digest{.domain = ref.domain, .path = ref.path, .tag = "", .digest = ref.digest};
    std::lock_guard lock(mu_);
    return md_->set_digest(by_digest.str(), id);
}

Result<void> ImageStore::record_blob_source(const Digest& blob, const std::string& repository) {
    std::lock_guard lock(mu_);
    return md_->add_blob_source(blob.str(), repository,
                                static_cast<std::int64_t>(std::time(nullptr)));
}

Result<std::vector<std::string>> ImageStore::blob_sources(const Digest& blob) {
    std::lock_guard lock(mu_);
    return md_->blob_sources(blob.str());
}

Result<std::string> ImageStore::new_staging_dir() {
    std::string tmpl = root_ + "/staging/layer-XXXXXX";
    if (!mkdtemp(tmpl.data())) return sys_fail("create staging directory in " + root_);
    return tmpl;
}

Result<StagedLayer> ImageStore::stage_layer(ByteReader& in) {
    auto layer = BERTH_TRY(stage_blob(in));
    if (auto r = unpack_staged(layer); !r) {
        release_staged(layer);
        return std::unexpected(std::move(r.error()));
    }
    return layer;
}

Result<StagedLayer> ImageStore::stage_blob(ByteReader& in) {
    StagedLayer layer;
    layer.dir = BERTH_TRY(new_staging_dir());
    ScopeExit remove_dir([&] { remove_tree(layer.dir); });
    auto blob = BERTH_TRY(content_.writer());
    BERTH_TRYV_CTX(copy_stream(in, *blob), "store layer");
    layer.blob = BERTH_TRY(blob->commit());
    std::lock_guard lock(mu_);
    ++staged_blobs_[layer.blob.str()];
    remove_dir.dismiss();
    return layer;
}

Result<void> ImageStore::unpack_staged(StagedLayer& layer) {
    auto fd = BERTH_TRY(content_.open_blob(layer.blob));
    auto dirfd = BERTH_TRY(open_fd(layer.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    FdReader in(fd.get());
    auto applied = BERTH_TRY(apply_layer(in, dirfd.get()));
    layer.diff_id = applied.diff_id;
    layer.size = static_cast<std::int64_t>(applied.disk_size);
    return {};
}

void ImageStore::release_staged(const StagedLayer& layer) {
    if (!layer.dir.empty()) remove_tree(layer.dir);
    if (layer.blob.empty()) return;
    std::lock_guard lock(mu_);
    auto held = staged_blobs_.find(layer.blob.str());
    if (held == staged_blobs_.end()) return;
    if (--held->second > 0) return;
    staged_blobs_.erase(held);
    auto layers = md_->layers();
    if (!layers) {
        log::warn("keep blob " + layer.blob.str() + ": " + layers.error().message);
        return;
    }
    for (const auto& l : *layers)
        if (l.blob == layer.blob.str()) return;
    if (auto r = content_.remove(layer.blob); !r)
        log::warn("remove unused blob " + layer.blob.str() + ": " + r.error().message);
}

Result<std::string> ImageStore::next_snapshot_name_locked() {
    std::int64_t next = 1;
    BERTH_TRYV(md_->db().exec("SELECT COALESCE(MAX(CAST(snapshot AS INTEGER)), 0) + 1 FROM layers",
                              {}, [&](const SqlRow& r) { next = r.integer(0); }));
    return std::to_string(next);
}

Result<std::string> ImageStore::commit_image(const ImageConfig& cfg,
                                             std::vector<StagedLayer> staged,
                                             const std::vector<Reference>& tags) {
    auto id = cfg.id().str();
    auto chains = chain_ids(cfg.rootfs.diff_ids);
    std::lock_guard lock(mu_);
    BERTH_TRYV_CTX(content_.write_blob(cfg.raw), "store config of image " + short_id(id));
    std::vector<std::string> renamed;  // snapshot dirs made visible, undone on failure
    auto result = md_->db().transaction([&]() -> Result<void> {
        std::int64_t total = 0;
        for (std::size_t i = 0; i < chains.size(); ++i) {
            const auto& diff = cfg.rootfs.diff_ids[i];
            if (auto have = BERTH_TRY(md_->layer(chains[i].str()))) {
                total += have->size;
                continue;
            }
            auto it = std::find_if(staged.begin(), staged.end(),
                                   [&](const StagedLayer& l) { return l.diff_id == diff && !l.dir.empty(); });
            if (it == staged.end())
                return fail("layer " + std::to_string(i + 1) + " (" + diff.str() +
                            ") is in the image config but was not in the archive");
            auto name = BERTH_TRY(next_snapshot_name_locked());
            if (::rename(it->dir.c_str(), snapshot_path(name).c_str()) != 0)
                return sys_fail("move layer into " + snapshot_path(name));
            renamed.push_back(name);
            it->dir.clear();
            BERTH_TRYV(md_->put_layer({chains[i].str(), diff.str(),
                                       i ? chains[i - 1].str() : "", name, it->blob.str(),
                                       it->media_type, it->size}));
            total += it->size;
        }
        BERTH_TRYV(md_->put_image({id, chains.empty() ? "" : chains.back().str(), total,
                                   now_seconds()}));
        for (const auto& t : tags) BERTH_TRYV(md_->set_tag(with_default_tag(t).str(), id));
        return {};
    });
    for (const auto& l : staged)
        if (!l.dir.empty()) remove_tree(l.dir);
    if (!result) {
        for (const auto& name : renamed) remove_tree(snapshot_path(name));
        // The config blob stays only for an image registered before this attempt.
        if (auto had = md_->image(id); had && !*had) (void)content_.remove(cfg.id());
        return std::unexpected(std::move(result.error()).context("register image " + short_id(id)));
    }
    return id;
}

Result<std::vector<std::string>> ImageStore::layer_dirs(const std::string& id) {
    auto cfg = BERTH_TRY(config(id));
    std::lock_guard lock(mu_);
    std::vector<std::string> dirs;
    for (const auto& c : chain_ids(cfg.rootfs.diff_ids)) {
        auto row = BERTH_TRY(md_->layer(c.str()));
        if (!row) return fail("image " + short_id(id) + ": layer " + c.str() + " is missing");
        dirs.push_back(snapshot_path(row->snapshot));
    }
    return dirs;
}

Result<LayerRow> ImageStore::layer(const std::string& chain_id) {
    std::lock_guard lock(mu_);
    auto row = BERTH_TRY(md_->layer(chain_id));
    if (!row) return fail_as(ErrorKind::not_found, "no layer " + chain_id);
    return *row;
}

Result<std::int64_t> ImageStore::layers_size() {
    std::lock_guard lock(mu_);
    std::int64_t total = 0;
    for (const auto& l : BERTH_TRY(md_->layers())) total += l.size;
    return total;
}

}  // namespace berth::image

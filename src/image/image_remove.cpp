// docker rmi and image prune: untag, then delete what nothing names or uses, then
// collect the layers and blobs no image stands on any more.
#include <algorithm>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <set>

#include "base/log.hpp"
#include "image/image_store.hpp"

namespace berth::image {

namespace {

std::string familiar(const std::string& full) {
    auto r = parse_reference(full);
    return r ? r->familiar() : full;
}

// "docker.io/library/busybox" of "docker.io/library/busybox:1" or "...@sha256:..".
std::string repository_of(const std::string& full) {
    auto r = parse_reference(full);
    return r ? r->repository() : full;
}

// All references name one repository ("busybox:1" and "busybox@sha256:.."), which
// docker lets a removal by ID untag without force.
bool single_repository(const std::vector<std::string>& refs) {
    std::set<std::string> repos;
    for (const auto& r : refs) repos.insert(repository_of(r));
    return repos.size() <= 1;
}

Error use_conflict(std::string_view what, const ImageUse& use, bool forcible) {
    std::string msg = "conflict: unable to " + std::string(what) + " (" +
                      (forcible ? "must be forced" : "cannot be forced") +
                      ") - image is being used by " + (use.running ? "running" : "stopped") +
                      " container " + short_id(use.container_id);
    return Error{0, std::move(msg), ErrorKind::conflict};
}

}  // namespace

Result<std::vector<DeleteItem>> ImageStore::remove(std::string_view name, bool force,
                                                   bool noprune, const ImageUseCheck& in_use) {
    (void)noprune;  // berth images have no parent chain of their own to prune
    std::lock_guard lock(mu_);
    return remove_locked(name, force, in_use);
}

Result<std::vector<DeleteItem>> ImageStore::remove_locked(std::string_view name, bool force,
                                                          const ImageUseCheck& in_use) {
    auto id = BERTH_TRY(resolve_locked(name));
    auto tags = BERTH_TRY(md_->tags_of(id));
    auto digests = BERTH_TRY(md_->digests_of(id));
    std::vector<std::string> refs = tags;
    refs.insert(refs.end(), digests.begin(), digests.end());
    auto use = in_use ? in_use(id) : std::nullopt;
    std::vector<DeleteItem> out;

    // By name: untag just that name; the image goes only with its last name.
    std::optional<std::string> named;
    if (auto ref = parse_reference(name)) {
        Reference full = ref->digest ? *ref : with_default_tag(*ref);
        if (full.digest) full.tag.clear();
        if (std::find(refs.begin(), refs.end(), full.str()) != refs.end()) named = full.str();
    }
    if (named) {
        // As dockerd: the last tag of a repository takes that repository's digest
        // references with it (a pushed or pulled image has one), so `rmi repo:tag`
        // deletes an image that has no other names.
        std::vector<std::string> going{*named};
        if (std::find(tags.begin(), tags.end(), *named) != tags.end()) {
            auto repo = repository_of(*named);
            bool other_tag = std::any_of(tags.begin(), tags.end(), [&](const std::string& t) {
                return t != *named && repository_of(t) == repo;
            });
            if (!other_tag)
                for (const auto& d : digests)
                    if (repository_of(d) == repo) going.push_back(d);
        }
        if (refs.size() > going.size() || (use && !force)) {
            if (refs.size() == going.size())
                return std::unexpected(use_conflict("remove repository reference \"" +
                                                    std::string(name) + "\"", *use, true));
            for (const auto& r : going) {
                if (!BERTH_TRY(md_->remove_tag(r))) BERTH_TRYV(md_->remove_digest(r));
                out.push_back({familiar(r), ""});
            }
            return out;
        }
    } else if (!force && !single_repository(refs)) {
        return fail_as(ErrorKind::conflict,
                       "conflict: unable to delete " + short_id(id) +
                           " (must be forced) - image is referenced in multiple repositories");
    }
    if (use && (use->running || !force))
        return std::unexpected(use_conflict("delete " + short_id(id), *use, !use->running));
    if (use) {
        // Forced while a stopped container uses it: docker untags and keeps the image.
        for (const auto& r : tags) BERTH_TRYV(md_->remove_tag(r));
        for (const auto& r : digests) BERTH_TRYV(md_->remove_digest(r));
        for (const auto& r : refs) out.push_back({familiar(r), ""});
        return out;
    }
    for (const auto& r : refs) out.push_back({familiar(r), ""});
    BERTH_TRYV(delete_image_locked(id, out));
    return out;
}

Result<std::int64_t> ImageStore::delete_image_locked(const std::string& id,
                                                     std::vector<DeleteItem>& out) {
    BERTH_TRYV(md_->delete_image(id));  // tags and digests go with it (ON DELETE CASCADE)
    out.push_back({"", id});
    if (auto d = parse_digest(id)) {
        if (auto r = content_.remove(*d); !r) log::warn("remove config blob: " + r.error().message);
    }
    return collect_layers_locked(out);
}

Result<std::int64_t> ImageStore::collect_layers_locked(std::vector<DeleteItem>& out) {
    std::set<std::string> live;
    auto layers = BERTH_TRY(md_->layers());
    std::map<std::string, const LayerRow*> by_chain;
    for (const auto& l : layers) by_chain[l.chain_id] = &l;
    for (const auto& img : BERTH_TRY(md_->images()))
        for (auto c = img.top_layer; !c.empty() && by_chain.count(c); c = by_chain[c]->parent)
            live.insert(c);
    std::int64_t freed = 0;
    // Top layers first, so a crash midway never leaves a layer without its parent.
    std::vector<const LayerRow*> dead;
    for (const auto& l : layers)
        if (!live.count(l.chain_id)) dead.push_back(&l);
    auto depth = [&](const LayerRow* l) {
        std::size_t d = 0;
        for (auto c = l->parent; !c.empty() && by_chain.count(c); c = by_chain[c]->parent) ++d;
        return d;
    };
    std::sort(dead.begin(), dead.end(),
              [&](const LayerRow* a, const LayerRow* b) { return depth(a) > depth(b); });
    for (const auto* l : dead) {
        BERTH_TRYV(md_->delete_layer(l->chain_id));
        std::error_code ec;
        std::filesystem::remove_all(snapshot_path(l->snapshot), ec);
        if (ec) log::warn("remove snapshot " + l->snapshot + ": " + ec.message());
        if (auto d = parse_digest(l->blob)) {
            bool shared = std::any_of(layers.begin(), layers.end(), [&](const LayerRow& o) {
                return o.blob == l->blob && live.count(o.chain_id);
            });
            // A load staging the same content holds the blob for its own layer.
            if (!shared && !staged_blobs_.count(l->blob)) (void)content_.remove(*d);
        }
        freed += l->size;
        out.push_back({"", l->chain_id, true});
    }
    return freed;
}

Result<void> ImageStore::collect_unused_blobs(std::int64_t min_age_seconds) {
    std::lock_guard lock(mu_);
    return collect_unused_blobs_locked(min_age_seconds);
}

Result<void> ImageStore::collect_unused_blobs_locked(std::int64_t min_age_seconds) {
    std::set<std::string> blobs;
    for (const auto& l : BERTH_TRY(md_->layers())) blobs.insert(l.blob);
    for (const auto& img : BERTH_TRY(md_->images())) blobs.insert(img.id);  // the config
    // Repo digests name manifests kept as blobs (pulled images).
    BERTH_TRYV(md_->db().exec("SELECT ref FROM repo_digests", {}, [&](const SqlRow& r) {
        auto ref = r.text(0);
        if (auto at = ref.rfind('@'); at != std::string::npos) blobs.insert(ref.substr(at + 1));
    }));
    for (const auto& [blob, holders] : staged_blobs_) blobs.insert(blob);
    std::int64_t cutoff = static_cast<std::int64_t>(std::time(nullptr)) - min_age_seconds;
    for (const auto& d : BERTH_TRY(content_.list())) {
        if (blobs.count(d.str())) continue;
        auto mtime = content_.modified(d);
        if (mtime && *mtime > cutoff) continue;  // a failed pull's, waiting for its retry
        log::info("removing blob " + d.str() + ": no image or layer uses it");
        if (auto r = content_.remove(d); !r && r.error().sys_errno != ENOENT) return r;
    }
    return {};
}

Result<void> ImageStore::collect_orphans() {
    std::set<std::string> snapshots;
    for (const auto& l : BERTH_TRY(md_->layers())) snapshots.insert(l.snapshot);
    BERTH_TRYV(collect_unused_blobs_locked(kUnusedBlobGraceSeconds));
    std::vector<std::filesystem::path> stray;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(root_ + "/snapshots", ec), end; !ec && it != end;
         it.increment(ec))
        if (!snapshots.count(it->path().filename().string())) stray.push_back(it->path());
    if (ec) return fail("list " + root_ + "/snapshots: " + ec.message());
    for (const auto& path : stray) {
        log::info("removing snapshot " + path.filename().string() + ": no layer uses it");
        std::filesystem::remove_all(path, ec);
        if (ec) return fail("remove " + path.string() + ": " + ec.message());
    }
    return {};
}

Result<std::pair<std::vector<DeleteItem>, std::int64_t>> ImageStore::prune(
    bool all, const ImageUseCheck& in_use,
    const std::function<bool(const ImageSummary&)>& keep) {
    std::lock_guard lock(mu_);
    std::vector<DeleteItem> out;
    std::int64_t freed = 0;
    for (const auto& row : BERTH_TRY(md_->images())) {
        auto s = BERTH_TRY(summary_locked(row.id));
        bool dangling = s.repo_tags.empty();
        if (!all && !dangling) continue;
        if (in_use && in_use(row.id)) continue;
        if (keep && keep(s)) continue;
        for (const auto& t : BERTH_TRY(md_->tags_of(row.id))) out.push_back({familiar(t), ""});
        freed += BERTH_TRY(delete_image_locked(row.id, out));
    }
    return std::pair{std::move(out), freed};
}

}  // namespace berth::image

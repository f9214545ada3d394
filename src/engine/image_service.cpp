#include "engine/image_service.hpp"

#include "image/platform.hpp"
#include "registry/pull.hpp"
#include "registry/push.hpp"

namespace berth::engine {

int ImageService::containers_using(const std::string& image_id) const {
    return d_.containers().count_using(image_id);
}

image::ImageUseCheck ImageService::use_check() const {
    return [this](const std::string& image_id) { return d_.containers().image_use(image_id); };
}

void ImageService::publish(const std::string& action, const std::string& id, const std::string& name) {
    Event e;
    e.type = "image";
    e.action = action;
    e.actor_id = id;
    e.attributes["name"] = name;
    d_.events().publish(std::move(e));
}

void ImageService::publish_deletes(const std::string& id, const std::vector<image::DeleteItem>& items) {
    // As dockerd: an "untag" per name, then "delete" if the image went, each naming
    // the image by ID (name included). Layers are listed as deleted too; events name
    // images only. A prune lists several images, each one's names before its ID.
    std::size_t untags = 0;
    for (const auto& i : items) {
        if (!i.untagged.empty()) {
            ++untags;
        } else if (!i.layer) {
            for (; untags > 0; --untags) publish("untag", i.deleted, i.deleted);
            publish("delete", i.deleted, i.deleted);
        }
    }
    for (; untags > 0; --untags) publish("untag", id, id);
}

Result<std::string> ImageService::tag(std::string_view source, std::string_view target) {
    auto id = BERTH_TRY(store().tag(source, target));
    auto ref = image::parse_reference(target);
    publish("tag", id, ref ? image::with_default_tag(*ref).familiar() : std::string(target));
    return id;
}

Result<std::vector<image::DeleteItem>> ImageService::remove(std::string_view name, bool force,
                                                            bool noprune) {
    auto id = BERTH_TRY(store().resolve(name));  // untag-only answers don't name the image
    auto items = BERTH_TRY(store().remove(name, force, noprune, use_check()));
    publish_deletes(id, items);
    return items;
}

Result<std::pair<std::vector<image::DeleteItem>, std::int64_t>> ImageService::prune(
    bool all, const std::function<bool(const image::ImageSummary&)>& keep) {
    auto r = BERTH_TRY(store().prune(all, use_check(), keep));
    publish_deletes("", r.first);
    // One daemon-wide event saying what the prune freed, as dockerd sends.
    Event e;
    e.type = "image";
    e.action = "prune";
    e.attributes["reclaimed"] = std::to_string(r.second);
    d_.events().publish(std::move(e));
    return r;
}

Result<std::vector<std::string>> ImageService::load(ByteReader& archive, const image::Progress& progress) {
    auto loaded = BERTH_TRY(image::load_archive(store(), archive, progress));
    // dockerd names a loaded image by its ID, tagged or not.
    for (const auto& name : loaded) {
        auto id = store().resolve(name);
        publish("load", id ? *id : name, id ? *id : name);
    }
    return loaded;
}

Result<void> ImageService::save(const std::vector<std::string>& names, ByteWriter& out) {
    BERTH_TRYV(image::save_archive(store(), names, out));
    for (const auto& n : names) {
        auto id = store().resolve(n);
        publish("save", id ? *id : n, id ? *id : n);
    }
    return {};
}

Result<std::string> ImageService::import(ByteReader& rootfs, const ImportRequest& req) {
    auto id = BERTH_TRY(image::import_rootfs(store(), rootfs, req));
    // dockerd tags first, then reports the import.
    if (!req.repo.empty()) {
        auto ref = image::parse_reference(req.tag.empty() ? req.repo : req.repo + ":" + req.tag);
        if (ref) publish("tag", id, image::with_default_tag(*ref).familiar());
    }
    publish("import", id, id);
    return id;
}

registry::RepositoryOptions ImageService::registry_options() const {
    registry::RepositoryOptions opts;
    opts.insecure_registries = d_.config().insecure_registries;
    opts.certs_dir = d_.config().registry_certs_dir;
    return opts;
}

Result<std::string> ImageService::pull(const image::Reference& ref, const std::string& platform,
                                       const registry::AuthConfig& auth, const registry::ProgressFn& progress) {
    registry::PullOptions opts;
    if (!platform.empty()) opts.platform = BERTH_TRY(image::parse_platform(platform));
    opts.auth = auth;
    opts.repo = registry_options();
    opts.mirrors = d_.config().registry_mirrors;
    auto r = BERTH_TRY(registry::pull_image(store(), ref, opts, progress));
    record_layer_sources(r.image_id, ref);
    publish("pull", r.image_id, image::with_default_tag(ref).familiar());
    return r.image_id;
}

void ImageService::record_layer_sources(const std::string& image_id, const image::Reference& ref) {
    // Only a hint for later mounts: a failure here must not fail the pull.
    auto summary = store().summary(image_id);
    if (!summary) return;
    for (const auto& chain : summary->chain) {
        auto layer = store().layer(chain);
        if (!layer) continue;
        if (auto blob = image::parse_digest(layer->blob))
            (void)store().record_blob_source(*blob, ref.repository());
    }
}

Result<void> ImageService::push(const image::Reference& ref, const registry::AuthConfig& auth,
                                const registry::ProgressFn& progress) {
    registry::PushOptions opts{auth, registry_options()};
    for (const auto& pushed : BERTH_TRY(registry::push_image(store(), ref, opts, progress))) {
        image::Reference tagged = ref;
        tagged.tag = pushed.tag;
        publish("push", pushed.image_id, tagged.familiar());
    }
    return {};
}

Result<void> ImageService::login(const registry::AuthConfig& auth) {
    // Any repository will do: GET /v2/ is not scoped, a token for it is asked for none.
    image::Reference ref{.domain = registry::server_domain(auth.server_address), .path = "library/x"};
    registry::Repository repo(ref, auth, registry::Access::none, registry_options());
    return repo.check_login();
}

Result<registry::DistributionInfo> ImageService::distribution(const image::Reference& ref,
                                                              const registry::AuthConfig& auth) {
    return registry::inspect_distribution(ref, auth, registry_options());
}

}  // namespace berth::engine

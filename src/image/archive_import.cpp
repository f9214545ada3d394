// docker import: a rootfs tarball becomes a one-layer image.
#include "base/scope_exit.hpp"
#include "base/time.hpp"
#include "image/archive.hpp"
#include "image/config_changes.hpp"
#include "image/media_types.hpp"
#include "image/platform.hpp"

namespace berth::image {

Result<std::string> import_rootfs(ImageStore& store, ByteReader& in, const ImportOptions& opts) {
    std::vector<Reference> tags;
    if (!opts.repo.empty()) {
        auto ref = BERTH_TRY(parse_reference(opts.tag.empty() ? opts.repo : opts.repo + ":" + opts.tag));
        if (ref.digest)
            return fail_as(ErrorKind::invalid_argument, "cannot import with a digest reference");
        tags.push_back(std::move(ref));
    }
    Platform platform = host_platform();
    if (!opts.platform.empty()) platform = BERTH_TRY(parse_platform(opts.platform));

    ImageConfig cfg;
    BERTH_TRYV(apply_changes(cfg.config, opts.changes));

    auto layer = BERTH_TRY(with_context(store.stage_layer(in), "import rootfs"));
    ScopeExit release([&] { store.release_staged(layer); });
    layer.media_type = std::string(layer.blob == layer.diff_id ? media_type::kDockerLayer
                                                                : media_type::kDockerLayerGzip);

    cfg.architecture = platform.architecture;
    cfg.os = platform.os;
    cfg.variant = platform.variant;
    cfg.created = rfc3339_now();
    cfg.rootfs.diff_ids = {layer.diff_id};
    cfg.history.push_back({cfg.created, "", "",
                           opts.message.empty() ? "Imported from " + opts.source : opts.message,
                           false});
    cfg.raw = to_json(cfg);
    std::vector<StagedLayer> staged{layer};
    layer.dir.clear();  // commit_image owns it now
    return store.commit_image(cfg, std::move(staged), tags);
}

}  // namespace berth::image

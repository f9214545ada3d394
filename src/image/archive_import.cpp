// docker import: a rootfs tarball becomes a one-layer image.
#include <fcntl.h>

#include <filesystem>

#include "base/file.hpp"
#include "base/time.hpp"
#include "image/archive.hpp"
#include "image/config_changes.hpp"
#include "image/decompress.hpp"
#include "image/layer_apply.hpp"
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

    StagedLayer layer;
    layer.dir = BERTH_TRY(store.new_staging_dir());
    struct RemoveDir {
        std::string& dir;
        ~RemoveDir() {
            if (!dir.empty()) std::filesystem::remove_all(dir);
        }
    } cleanup{layer.dir};
    auto dirfd = BERTH_TRY(open_fd(layer.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    auto blob = BERTH_TRY(store.content().writer());
    TeeReader tee(in, *blob);
    auto applied = BERTH_TRY(with_context(apply_layer(tee, dirfd.get()), "import rootfs"));
    layer.blob = BERTH_TRY(blob->commit());
    layer.diff_id = applied.diff_id;
    layer.size = static_cast<std::int64_t>(applied.unpacked_size);
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

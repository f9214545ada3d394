#include "registry/distribution.hpp"

#include "image/image_config.hpp"

namespace berth::registry {

Result<DistributionInfo> inspect_distribution(const image::Reference& ref_in, const AuthConfig& auth,
                                              const RepositoryOptions& opts) {
    image::Reference ref = image::with_default_tag(ref_in);
    Repository repo(ref, auth, Access::pull, opts);
    auto fetched = BERTH_TRY(repo.manifest(ref.digest ? ref.digest->str() : ref.tag));
    DistributionInfo info;
    auto kind = BERTH_TRY(image::detect_manifest_kind(fetched.bytes));
    info.descriptor.media_type = fetched.media_type;
    info.descriptor.digest = fetched.digest;
    info.descriptor.size = static_cast<std::int64_t>(fetched.bytes.size());
    if (image::is_index_kind(kind)) {
        auto index = BERTH_TRY(image::parse_index(fetched.bytes));
        for (const auto& m : index.manifests)
            if (m.platform) info.platforms.push_back(*m.platform);
        return info;
    }
    auto manifest = BERTH_TRY(image::parse_manifest(fetched.bytes));
    auto cfg = BERTH_TRY(image::parse_image_config(BERTH_TRY(repo.blob_bytes(manifest.config.digest, 16 << 20))));
    info.platforms.push_back({.architecture = cfg.architecture, .os = cfg.os, .variant = cfg.variant,
                              .os_version = cfg.os_version, .os_features = cfg.os_features});
    return info;
}

}  // namespace berth::registry

#include "image/media_types.hpp"

namespace berth::image::media_type {

std::optional<Compression> layer_compression(std::string_view type) {
    if (type == kOciLayer || type == kOciLayerNondistributable || type == kDockerLayer)
        return Compression::none;
    if (type == kOciLayerGzip || type == kOciLayerNondistributableGzip ||
        type == kDockerLayerGzip || type == kDockerLayerForeignGzip)
        return Compression::gzip;
    if (type == kOciLayerZstd || type == kOciLayerNondistributableZstd) return Compression::zstd;
    return std::nullopt;
}

bool is_layer(std::string_view type) {
    return layer_compression(type).has_value();
}

bool is_foreign_layer(std::string_view type) {
    return type == kDockerLayerForeignGzip || type == kOciLayerNondistributable ||
           type == kOciLayerNondistributableGzip || type == kOciLayerNondistributableZstd;
}

bool is_manifest(std::string_view type) {
    return type == kOciManifest || type == kDockerManifest;
}

bool is_index(std::string_view type) {
    return type == kOciIndex || type == kDockerManifestList;
}

bool is_image_config(std::string_view type) {
    return type == kOciConfig || type == kDockerConfig;
}

}  // namespace berth::image::media_type

#include "image/manifest.hpp"

#include "base/json.hpp"
#include "image/media_types.hpp"
#include "oci/json_reader.hpp"
#include "oci/json_writer.hpp"

namespace berth::image {

namespace {

using oci::detail::get;
using oci::detail::get_array;
using oci::detail::get_object;
using oci::detail::JsonNode;
using oci::detail::put_nonempty;

std::unexpected<Error> missing(const JsonNode& obj, std::string_view key) {
    return obj.error("missing required field \"" + std::string(key) + "\"");
}

// obj.key, which must be present (not null).
template <typename T>
Result<void> require(const JsonNode& obj, std::string_view key, T& out) {
    auto m = obj.member(key);
    if (!m) return missing(obj, key);
    return read(*m, out);
}

Result<Platform> parse_platform_json(const JsonNode& n) {
    Platform p;
    BERTH_TRYV(require(n, "architecture", p.architecture));
    BERTH_TRYV(require(n, "os", p.os));
    BERTH_TRYV(get(n, "variant", p.variant));
    BERTH_TRYV(get(n, "os.version", p.os_version));
    BERTH_TRYV(get(n, "os.features", p.os_features));
    return p;
}

Result<Descriptor> parse_descriptor(const JsonNode& n) {
    Descriptor d;
    BERTH_TRYV(require(n, "mediaType", d.media_type));
    std::string digest;
    BERTH_TRYV(require(n, "digest", digest));
    auto parsed = parse_digest(digest);
    if (!parsed) return n.member("digest")->error(parsed.error().message);
    d.digest = std::move(*parsed);
    BERTH_TRYV(require(n, "size", d.size));
    if (d.size < 0) return n.member("size")->error("must not be negative");
    BERTH_TRYV(get(n, "annotations", d.annotations));
    BERTH_TRYV(get(n, "urls", d.urls));
    BERTH_TRYV(get(n, "artifactType", d.artifact_type));
    BERTH_TRYV(get_object(n, "platform", d.platform, parse_platform_json));
    return d;
}

Result<ManifestKind> kind_of_media_type(std::string_view type) {
    if (type == media_type::kOciManifest) return ManifestKind::oci_manifest;
    if (type == media_type::kOciIndex) return ManifestKind::oci_index;
    if (type == media_type::kDockerManifest) return ManifestKind::docker_manifest;
    if (type == media_type::kDockerManifestList) return ManifestKind::docker_manifest_list;
    if (type == media_type::kDockerSchema1Manifest ||
        type == media_type::kDockerSchema1SignedManifest)
        return fail("Docker image manifest schema 1 (" + std::string(type) +
                    ") is not supported: push the image again with a current docker");
    return fail("unsupported manifest media type \"" + std::string(type) + "\"");
}

Result<ManifestKind> kind_of(const Json& j) {
    if (!j.is_object())
        return fail("a manifest must be a JSON object, got " + std::string(j.type_name()));
    if (auto it = j.find("mediaType"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) return fail("mediaType: expected a string");
        return kind_of_media_type(it->get_ref<const std::string&>());
    }
    if (auto v = j.find("schemaVersion"); v != j.end() && *v == 1)
        return kind_of_media_type(media_type::kDockerSchema1SignedManifest);
    if (j.contains("manifests")) return ManifestKind::oci_index;
    if (j.contains("config") && j.contains("layers")) return ManifestKind::oci_manifest;
    return fail(
        "not an image manifest or index: no mediaType, and neither \"manifests\" nor "
        "\"config\" and \"layers\"");
}

// The members manifests and indexes share: schemaVersion, mediaType, artifactType,
// subject, annotations.
template <typename T>
Result<void> parse_common(const JsonNode& root, T& out) {
    BERTH_TRYV(require(root, "schemaVersion", out.schema_version));
    if (out.schema_version != 2)
        return root.member("schemaVersion")
            ->error("must be 2, got " + std::to_string(out.schema_version));
    BERTH_TRYV(get(root, "mediaType", out.media_type));
    BERTH_TRYV(get(root, "artifactType", out.artifact_type));
    BERTH_TRYV(get_object(root, "subject", out.subject, parse_descriptor));
    BERTH_TRYV(get(root, "annotations", out.annotations));
    return {};
}

// A required array of descriptors (it may be empty).
Result<void> require_descriptors(const JsonNode& root, std::string_view key,
                                 std::vector<Descriptor>& out) {
    if (!root.member(key)) return missing(root, key);
    return get_array(root, key, out, parse_descriptor);
}

Json platform_json(const Platform& p) {
    Json j = {{"architecture", p.architecture}, {"os", p.os}};
    put_nonempty(j, "variant", p.variant);
    put_nonempty(j, "os.version", p.os_version);
    put_nonempty(j, "os.features", p.os_features);
    return j;
}

Json descriptor_json(const Descriptor& d) {
    Json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
    put_nonempty(j, "annotations", d.annotations);
    put_nonempty(j, "urls", d.urls);
    put_nonempty(j, "artifactType", d.artifact_type);
    if (d.platform) j["platform"] = platform_json(*d.platform);
    return j;
}

template <typename T>
Json common_json(const T& m) {
    Json j = {{"schemaVersion", m.schema_version}};
    put_nonempty(j, "mediaType", m.media_type);
    put_nonempty(j, "artifactType", m.artifact_type);
    put_nonempty(j, "annotations", m.annotations);
    if (m.subject) j["subject"] = descriptor_json(*m.subject);
    return j;
}

Json descriptors_json(const std::vector<Descriptor>& ds) {
    Json a = Json::array();
    for (auto& d : ds) a.push_back(descriptor_json(d));
    return a;
}

}  // namespace

bool is_index_kind(ManifestKind k) {
    return k == ManifestKind::oci_index || k == ManifestKind::docker_manifest_list;
}

Result<ManifestKind> detect_manifest_kind(std::string_view json) {
    auto j = BERTH_TRY(parse_json(json, "manifest"));
    return kind_of(j);
}

Result<Manifest> parse_manifest(std::string raw) {
    auto j = BERTH_TRY(parse_json(raw, "manifest"));
    auto kind = BERTH_TRY(with_context(kind_of(j), "manifest"));
    if (is_index_kind(kind))
        return fail("manifest: is an image index, not a single-platform manifest");
    JsonNode root(j, "");
    Manifest m;
    BERTH_TRYV_CTX(parse_common(root, m), "manifest");
    std::optional<Descriptor> config;
    BERTH_TRYV_CTX(get_object(root, "config", config, parse_descriptor), "manifest");
    if (!config) return with_context(Result<Manifest>(missing(root, "config")), "manifest");
    m.config = std::move(*config);
    BERTH_TRYV_CTX(require_descriptors(root, "layers", m.layers), "manifest");
    m.raw = std::move(raw);
    return m;
}

Result<Index> parse_index(std::string raw) {
    auto j = BERTH_TRY(parse_json(raw, "image index"));
    auto kind = BERTH_TRY(with_context(kind_of(j), "image index"));
    if (!is_index_kind(kind))
        return fail("image index: is a single-platform manifest, not an index");
    JsonNode root(j, "");
    Index index;
    BERTH_TRYV_CTX(parse_common(root, index), "image index");
    BERTH_TRYV_CTX(require_descriptors(root, "manifests", index.manifests), "image index");
    index.raw = std::move(raw);
    return index;
}

std::string to_json(const Manifest& m) {
    Json j = common_json(m);
    j["config"] = descriptor_json(m.config);
    j["layers"] = descriptors_json(m.layers);
    return dump_compact(j);
}

std::string to_json(const Index& index) {
    Json j = common_json(index);
    j["manifests"] = descriptors_json(index.manifests);
    return dump_compact(j);
}

}  // namespace berth::image

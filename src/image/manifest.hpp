// Image manifests and indexes, in both the OCI form (image-spec manifest.md,
// image-index.md) and Docker's registry schema 2 form (manifest, manifest list),
// which share one shape and differ in media types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "image/digest.hpp"
#include "image/platform.hpp"

namespace berth::image {

// A reference to content: what it is, its digest and size (descriptor.md).
struct Descriptor {
    std::string media_type;
    Digest digest;
    std::int64_t size = 0;
    std::map<std::string, std::string> annotations;
    std::optional<Platform> platform;  // in an index: the platform the manifest is for
    std::vector<std::string> urls;     // where foreign layers can be fetched
    std::string artifact_type;         // image-spec 1.1 artifacts; "" when absent

    friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

struct Manifest {
    int schema_version = 2;
    std::string media_type;  // as written; "" when an OCI manifest leaves it out
    std::string artifact_type;
    Descriptor config;
    std::vector<Descriptor> layers;  // base layer first
    std::optional<Descriptor> subject;
    std::map<std::string, std::string> annotations;
    // The bytes this was parsed from ("" when built in memory). A manifest's
    // digest is that of its bytes, so these, not a re-serialisation, are what is
    // stored and served.
    std::string raw;
};

struct Index {
    int schema_version = 2;
    std::string media_type;
    std::string artifact_type;
    std::vector<Descriptor> manifests;
    std::optional<Descriptor> subject;
    std::map<std::string, std::string> annotations;
    std::string raw;  // as Manifest::raw
};

enum class ManifestKind { oci_manifest, oci_index, docker_manifest, docker_manifest_list };

// What a manifest document is: by its mediaType field, or, for OCI documents that
// leave it out, by shape ("manifests" makes an index; "config" and "layers" a
// manifest). Docker schema 1 and unknown media types are errors that say so.
Result<ManifestKind> detect_manifest_kind(std::string_view json);
bool is_index_kind(ManifestKind k);

// Parse and validate (schemaVersion 2, descriptors complete, digests well formed,
// sizes not negative); errors name the field ("layers[2].digest: ..."). An index
// handed to parse_manifest, or a manifest to parse_index, is an error.
Result<Manifest> parse_manifest(std::string raw);
Result<Index> parse_index(std::string raw);

// Compact JSON with keys in sorted order, so that equal manifests built in memory
// serialise to equal bytes and so to equal digests. Ignores `raw`.
std::string to_json(const Manifest& m);
std::string to_json(const Index& i);

// The descriptor in `index` for the manifest that best runs on `want`: exact
// variant first, then compatible ones (an older arm variant); among equals the
// first listed (image-index.md: "the first matching entry SHOULD be used").
// Entries without a platform are taken only when nothing else matches. The error
// is docker's: "no matching manifest for linux/arm64/v8 in the manifest list entries".
Result<Descriptor> select_manifest(const Index& index, const Platform& want);

}  // namespace berth::image

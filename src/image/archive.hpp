// Image archives: the docker-archive format `docker save` writes (manifest.json,
// <config>.json, <layer>/layer.tar) and OCI image layouts (oci-layout, index.json,
// blobs/sha256/...), read by load and written by save; and rootfs import.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/stream.hpp"
#include "image/image_store.hpp"

namespace berth::image {

// Loads every image in a docker-archive or OCI-layout tar streamed from `in`, in one
// pass: layers are unpacked as they arrive. Returns what was loaded: familiar tags,
// or image IDs of untagged images. Nothing becomes visible unless it all loads.
Result<std::vector<std::string>> load_archive(ImageStore& store, ByteReader& in,
                                              const Progress& progress);

// Writes the named images as one docker-archive (which docker 20.10 and later load)
// with an OCI index.json and oci-layout beside it (which OCI tools read).
Result<void> save_archive(ImageStore& store, const std::vector<std::string>& names,
                          ByteWriter& out);

struct ImportOptions {
    std::string repo, tag;             // where to tag the new image ("" for none)
    std::string message;               // history comment
    std::vector<std::string> changes;  // Dockerfile instructions: CMD, ENV, ...
    std::string platform;              // "linux/arm64"; "" for the host's
    std::string source = "-";          // for the default history comment
};

// Makes a one-layer image from a rootfs tarball (plain, gzip or zstd).
Result<std::string> import_rootfs(ImageStore& store, ByteReader& in, const ImportOptions& opts);

}  // namespace berth::image

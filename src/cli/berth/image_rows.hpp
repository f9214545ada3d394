// The rows `images` (and `system df -v`) print for GET /images/json: one per
// repository tag, as docker's image formatter expands them, with the field names
// docker's --format templates use.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/json.hpp"

namespace berth::cli {

struct ImageRowOptions {
    bool no_trunc = false;  // full "sha256:..." IDs
    bool digests = false;   // a row per digest of each tag (--digests)
    std::int64_t now = 0;   // unix seconds, for CreatedSince
};

// Rows with Repository, Tag, Digest, ID, CreatedSince, CreatedAt, Size,
// SharedSize, UniqueSize, VirtualSize, Containers. An image without tags or
// digests (or with docker's "<none>:<none>" placeholders) is one <none> row.
std::vector<Json> image_rows(const Json& images, const ImageRowOptions& options);

// The default table of `images`, with a DIGEST column for --digests.
std::string images_table_format(bool digests);

// Column titles by field name (ID -> "IMAGE ID").
const std::map<std::string, std::string>& image_headers();

}  // namespace berth::cli

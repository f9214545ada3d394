// The image objects of the Docker Engine API (ImageSummary, ImageInspect, history
// items), filled the way dockerd fills them.
#pragma once

#include <string>
#include <vector>

#include "base/json.hpp"
#include "image/image_store.hpp"

namespace berth::api {

// One element of GET /images/json. `containers` is how many containers use it.
Json image_summary_json(const image::ImageSummary& s, int containers);

// GET /images/{name}/json. `layer_dirs` are its snapshot directories, base first.
// Ordered as dockerd orders the fields, since clients print them as they come.
nlohmann::ordered_json image_inspect_json(const image::ImageSummary& s, const image::ImageConfig& cfg,
                        const std::vector<std::string>& layer_dirs);

// GET /images/{name}/history: newest first; only the top entry carries the image
// ID and tags (berth keeps no parent images), older ones say "<missing>".
Json image_history_json(const image::ImageSummary& s, const image::ImageConfig& cfg,
                        const std::vector<std::int64_t>& layer_sizes);

}  // namespace berth::api

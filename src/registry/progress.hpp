// Progress of a pull or push, in the shape of Docker's JSON message stream
// ({"status","id","progressDetail":{"current","total"}}), which the API layer
// writes out and docker clients render as progress bars.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace berth::registry {

struct ProgressEvent {
    std::string id;       // a short layer digest or a tag; "" for image-wide lines
    std::string status;   // "Pulling fs layer", "Downloading", "Pull complete"...
    std::int64_t current = -1;  // bytes so far, -1 when not a byte count
    std::int64_t total = -1;
    bool plain = false;         // a message about the image, not a layer: no progressDetail
};

// Called from several threads at once (layers move in parallel): must be thread safe.
using ProgressFn = std::function<void(const ProgressEvent&)>;

}  // namespace berth::registry

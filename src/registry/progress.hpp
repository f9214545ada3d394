// Progress of a pull or push, in the shape of Docker's JSON message stream
// ({"status","id","progressDetail":{"current","total"}}), which the API layer
// writes out and docker clients render as progress bars.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/result.hpp"
#include "base/stream.hpp"

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

// Counts the bytes read through it and reports `status` with current/total every
// `step` bytes and at the end: "Pushing" as an upload's body is read out.
class ProgressReader final : public ByteReader {
  public:
    ProgressReader(ByteReader& in, std::string id, std::string status, std::int64_t total,
                   const ProgressFn& progress, std::int64_t step = 512 << 10)
        : in_(in),
          id_(std::move(id)),
          status_(std::move(status)),
          total_(total),
          step_(step),
          progress_(progress) {}
    Result<std::size_t> read(char* buf, std::size_t size) override;

  private:
    ByteReader& in_;
    std::string id_, status_;
    std::int64_t total_, step_;
    const ProgressFn& progress_;
    std::int64_t done_ = 0, reported_ = 0;
};

}  // namespace berth::registry

// The container objects of the Docker Engine API: the summary of GET /containers/json,
// the inspect document, and the `filters` of the list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.hpp"
#include "engine/container.hpp"
#include "engine/container_service.hpp"
#include "http/query.hpp"

namespace berth::api {

struct SizeInfo {
    std::int64_t rw = 0, root_fs = 0;
};

// One element of GET /containers/json.
Json container_summary_json(const engine::Container& c, std::optional<SizeInfo> size);
// GET /containers/{id}/json, fields in dockerd's order.
nlohmann::ordered_json container_inspect_json(const engine::Container& c, const engine::ContainerPaths& p,
                                              const std::vector<std::string>& layer_dirs,
                                              std::optional<SizeInfo> size);
// Docker's "Up 3 minutes", "Exited (0) 2 seconds ago", "Created", ...
std::string container_status_text(const engine::Container& c, std::int64_t now_ns);

// A predicate from the list's filters: status, name, label, ancestor, exited, id,
// before, since, health (others are refused as dockerd refuses unknown ones).
using ContainerFilter = std::function<bool(const engine::Container&)>;
Result<ContainerFilter> container_filter(const http::Filters& f, const engine::ContainerService& svc,
                                         image::ImageStore& images);

}  // namespace berth::api

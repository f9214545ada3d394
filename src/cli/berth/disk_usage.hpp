// The summary rows of `system df` from GET /system/df, computed as docker's
// disk-usage formatter does (TYPE TOTAL ACTIVE SIZE RECLAIMABLE).
#pragma once

#include <vector>

#include "base/json.hpp"

namespace berth::cli {

// Rows for Images, Containers, Local Volumes and Build Cache with the fields Type,
// TotalCount, Active, Size, Reclaimable ("1.984MB (100%)").
std::vector<Json> disk_usage_rows(const Json& df);

}  // namespace berth::cli

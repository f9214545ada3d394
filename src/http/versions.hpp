// The Docker Engine API versions berth speaks, and how Docker compares them.
#pragma once

#include <string_view>

namespace berth::http {

// The newest API version served (Docker 20.10's) and the oldest (Docker's minimum).
inline constexpr std::string_view kApiVersion = "1.41";
inline constexpr std::string_view kMinApiVersion = "1.24";

// Compares dotted versions numerically field by field, missing fields as 0
// ("1.9" < "1.24"), as Docker's api/types/versions does; <0, 0 or >0.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace berth::http

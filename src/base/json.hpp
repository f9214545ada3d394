// JSON via nlohmann (Debian's nlohmann-json3-dev). Parsing with exceptions turned
// into Results at the edge, so no exception leaves a module.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/result.hpp"

namespace berth {

using Json = nlohmann::json;

// Parses text; the error names `what` (a file name, say) and the parser's position.
Result<Json> parse_json(std::string_view text, std::string_view what);

}  // namespace berth

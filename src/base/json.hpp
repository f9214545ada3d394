// JSON via nlohmann (Debian's nlohmann-json3-dev). Parsing with exceptions turned
// into Results at the edge, so no exception leaves a module.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth {

using Json = nlohmann::json;

// Parses text; the error names `what` (a file name, say) and the parser's position.
Result<Json> parse_json(std::string_view text, std::string_view what);

// Compact JSON, keys in sorted order (nlohmann keeps objects in a std::map), so
// equal values give equal bytes, which digests of generated documents rely on.
// Invalid UTF-8 in a string is replaced (U+FFFD) instead of throwing.
std::string dump_compact(const Json& j);

}  // namespace berth

// Request targets: percent-decoding, the query string, and the Docker API's
// conventions for boolean and `filters` parameters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace berth::http {

using Query = std::multimap<std::string, std::string>;
// filters={"label":{"a=b":true}} as {"label": ["a=b"]}.
using Filters = std::map<std::string, std::vector<std::string>>;

// Decodes %XX escapes (and '+' as a space in a query, per HTML forms, as Go's
// url.ParseQuery does); nullopt on a broken escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// name=value pairs separated by '&'; a pair without '=' has an empty value.
Result<Query> parse_query(std::string_view raw);

// Docker's boolean parameters (httputils.BoolValue): "", "0", "no", "false" and
// "none" in any case are false, anything else is true.
bool docker_bool(std::string_view value);

// The `filters` parameter: {"k":{"v":true}} or the legacy {"k":["v"]}; "" is none.
Result<Filters> parse_filters(std::string_view json);

}  // namespace berth::http

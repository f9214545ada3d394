// The -f/--filter flag as docker sends it: `-f dangling=true -f label=a=b` becomes
// the `filters` query parameter {"dangling":{"true":true},"label":{"a=b":true}}.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"

namespace berth::cli {

// Each flag value is "name=value": the name is trimmed and lowercased, the value
// trimmed (docker's filters.ParseFlag). "" when no filter is given. Error, as
// docker words it: "bad format of filter (expected name=value)".
Result<std::string> filters_json(const std::vector<std::string>& flag_values);

}  // namespace berth::cli

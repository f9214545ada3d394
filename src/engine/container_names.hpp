// Container names: the ones users give (validated as Docker does) and the ones the
// daemon makes up when none is given, "adjective_surname" like Docker's.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::engine {

// Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+, with an optional leading "/".
// Returns the name without the slash.
Result<std::string> validate_container_name(std::string_view name);

// A random "adjective_surname" that `taken` doesn't claim; after a few collisions a
// digit is appended, as Docker does, so the search always ends.
std::string generate_container_name(const std::function<bool(const std::string&)>& taken);

}  // namespace berth::engine

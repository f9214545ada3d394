// Helpers for writing config.json: optional and empty values are left out, so
// what is written is what was set, and parsing it back gives the same Config.
#pragma once

#include <optional>

#include "base/json.hpp"

namespace berth::oci::detail {

template <typename T>
void put_if(Json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

// Strings, vectors and maps: written when non-empty.
template <typename T>
void put_nonempty(Json& j, const char* key, const T& v) {
    if (!v.empty()) j[key] = v;
}

// Vectors of structs written with `conv` (T -> Json).
template <typename T, typename F>
void put_list(Json& j, const char* key, const std::vector<T>& v, F&& conv) {
    if (v.empty()) return;
    Json a = Json::array();
    for (auto& x : v) a.push_back(conv(x));
    j[key] = std::move(a);
}

}  // namespace berth::oci::detail

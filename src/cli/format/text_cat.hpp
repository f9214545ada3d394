// Concatenating message pieces (GCC 12 has no <format>): strings, characters and
// integers, in order.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace berth::cli {

namespace detail {
inline void cat_one(std::string& out, std::string_view s) { out += s; }
inline void cat_one(std::string& out, char c) { out += c; }
template <std::integral I>
    requires(!std::same_as<I, char> && !std::same_as<I, bool>)
void cat_one(std::string& out, I v) {
    out += std::to_string(v);
}
}  // namespace detail

template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    (detail::cat_one(out, parts), ...);
    return out;
}

}  // namespace berth::cli

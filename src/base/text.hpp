// Message building: GCC 12 has no <format>, so
// messages are concatenated from strings and integers.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace berth {

namespace detail {
inline void append(std::string& out, std::string_view s) {
    out += s;
}
inline void append(std::string& out, char c) {
    out += c;
}
template <std::integral T>
requires(!std::same_as<T, char> && !std::same_as<T, bool>) void append(std::string& out, T n) {
    out += std::to_string(n);
}
}  // namespace detail

// cat("syscalls[", 3, "].op") -> "syscalls[3].op"
template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    (detail::append(out, parts), ...);
    return out;
}

// "\"name\"" for quoting config values in messages.
inline std::string quoted(std::string_view s) {
    return cat('"', s, '"');
}

}  // namespace berth

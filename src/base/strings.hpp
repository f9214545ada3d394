// String helpers the standard library lacks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Percent-encodes every byte but RFC 3986's unreserved characters (ALPHA DIGIT
// "-" "." "_" "~") and those in `keep` ("/:@" for a path segment that stays a path).
std::string percent_encode(std::string_view text, std::string_view keep = "");
// Parses a whole decimal integer (optionally negative); nullopt on any junk.
std::optional<long long> parse_int(std::string_view s);

}  // namespace berth

// Sizes and durations in the words docker prints and accepts (docker/go-units).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::cli {

// Decimal units, 4 significant digits, Go's %.4g: 1000 -> "1kB", 1234567 -> "1.235MB".
std::string human_size(double bytes);

// The same with `precision` significant digits: docker's images and history SIZE
// columns use 3 (1984000 -> "1.98MB").
std::string human_size_with_precision(double bytes, int precision);

// Binary units, same precision: 1024 -> "1KiB", 1536 -> "1.5KiB".
std::string bytes_size(double bytes);

// go-units HumanDuration: "Less than a second", "1 second", "45 seconds",
// "About a minute", "45 minutes", "About an hour", "3 hours", "2 days", "3 weeks",
// "4 months", "2 years". Hours round to nearest; days, weeks, months truncate.
std::string human_duration(int64_t seconds);

// Docker's "CREATED" column: human_duration(now - created) + " ago".
std::string created_since(int64_t created_unix, int64_t now_unix);

// RAMInBytes, for --memory and friends: "512m", "1g", "1.5GB", "100k", "2KiB", "7"
// (bytes); suffixes are case-insensitive binary multiples. Errors as docker words
// them: "invalid size: 'x'", "invalid suffix: 'q'".
Result<int64_t> parse_size(std::string_view text);

// FromHumanSize: the same syntax with decimal multiples ("1k" = 1000).
Result<int64_t> parse_human_size(std::string_view text);

}  // namespace berth::cli

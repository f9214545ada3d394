// Wall-clock time as the runtime spec and the Docker API print it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

// "2026-11-23T13:20:29.123456789Z" (RFC 3339, UTC, nanoseconds).
std::string rfc3339_now();

// Formats unix time with nanoseconds the same way.
std::string rfc3339(std::int64_t seconds, long nanos = 0);

// Parses RFC 3339 ("2024-01-02T03:04:05Z", fractions, "+02:00" offsets) into unix
// nanoseconds; nullopt when malformed or outside int64 nanoseconds (years 1678..2262,
// so Docker's zero time "0001-01-01T00:00:00Z" too). Image configs carry their creation time so.
std::optional<std::int64_t> parse_rfc3339_nanos(std::string_view text);

// A time as the Docker API takes it in since/until: unix seconds with an optional
// fraction ("1700000000.123456789"), or RFC 3339. Unix nanoseconds; nullopt when
// malformed.
std::optional<std::int64_t> parse_timestamp_arg(std::string_view text);

}  // namespace berth

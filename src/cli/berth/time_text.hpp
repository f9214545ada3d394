// Times as the docker CLI prints them (Go's layouts, in UTC) and the --since and
// --until arguments it accepts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::cli {

// Go's time.Time.String(): "2024-01-01 00:00:00 +0000 UTC".
std::string go_time_string(std::int64_t unix_seconds);

// time.RFC3339: "2024-01-01T00:00:00Z".
std::string rfc3339_seconds(std::int64_t unix_seconds);

// The value docker sends for --since/--until (timetypes.GetTimestamp): a Go
// duration ("10m", "1h30m", "0s") is that long before `now_nanos`; a unix time
// ("1700000000", "1700000000.5") is sent as given; an RFC 3339 date-time or a date
// ("2024-01-02", "2024-01-02T03:04:05") becomes "seconds.nanoseconds".
Result<std::string> timestamp_arg(std::string_view value, std::int64_t now_nanos);

// A Go duration ("1h30m", "-5s", "1.5h", "300ms") in nanoseconds.
Result<std::int64_t> parse_go_duration(std::string_view text);

}  // namespace berth::cli

// Reading a container's json-file log (written by berth-monitor, in docker's
// format) for GET /containers/{id}/logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace berth::engine {

struct LogEntry {
    int stream = 1;  // 1 stdout, 2 stderr
    std::string text;
    std::int64_t time_ns = 0;
};

struct LogReadOptions {
    bool stdout_ = true, stderr_ = true;
    std::int64_t since_ns = 0, until_ns = 0;  // 0: no bound; since inclusive, until inclusive
    std::optional<std::size_t> tail;          // the last N records (before since/until, as docker)
    bool follow = false;
};

// Parses one log line; nullopt when malformed.
std::optional<LogEntry> parse_log_line(std::string_view line);

// Reads the rotated files oldest first (path.N .. path.1, path), applies the
// options and calls `emit` per entry (false stops). With follow, keeps reading
// what is appended to `path` (polling every 100 ms, following rotation) until
// `keep_following()` returns false, then drains what is left and returns.
// Malformed lines are skipped. A missing log is an empty one.
Result<void> read_json_log(const std::string& path, const LogReadOptions& o,
                           const std::function<bool(const LogEntry&)>& emit,
                           const std::function<bool()>& keep_following);

}  // namespace berth::engine

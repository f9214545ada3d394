// Docker's json-file log driver, as the monitor writes it: one JSON object per
// line, {"log":"text\n","stream":"stdout","time":"<RFC3339Nano>"}, the
// container's output split at newlines (and every 16 KiB inside longer lines),
// and the file rotated like docker's (path -> path.1 -> ... keeping max_file).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::monitor {

// Docker's bufio buffer for a log line: longer lines are logged in pieces.
inline constexpr std::size_t kMaxLogLine = 16 * 1024;

// Appends `text` as a JSON string the way docker's jsonlog encoder does (Go's
// escaping: <, > and & as \u003c.., U+2028/2029 escaped, invalid UTF-8 as U+FFFD).
void append_json_string(std::string& out, std::string_view text);

// Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped.
std::string rfc3339_nano(std::int64_t unix_ns);

// One log record, newline included.
std::string json_log_line(std::string_view text, bool is_stderr, std::int64_t unix_ns);

struct LogLimits {
    std::int64_t max_size = 0;  // bytes per file; 0: unlimited
    int max_file = 1;           // files kept in all, the live one included
};

class JsonLogWriter {
  public:
    static Result<JsonLogWriter> open(const std::string& path, LogLimits limits);

    // Takes a chunk of a stream's output; complete lines are written now, a
    // partial line waits for its end (or for kMaxLogLine bytes, or flush()).
    Result<void> write(bool is_stderr, std::string_view data, std::int64_t unix_ns);
    // Writes the partial lines still held (the stream ended).
    Result<void> flush(std::int64_t unix_ns);

  private:
    JsonLogWriter(std::string path, LogLimits limits, UniqueFd fd, std::int64_t size)
        : path_(std::move(path)), limits_(limits), fd_(std::move(fd)), size_(size) {}
    Result<void> emit(std::string_view text, bool is_stderr, std::int64_t unix_ns);
    Result<void> rotate();

    std::string path_;
    LogLimits limits_;
    UniqueFd fd_;
    std::int64_t size_ = 0;
    std::string partial_[2];  // [stdout, stderr]
};

}  // namespace berth::monitor

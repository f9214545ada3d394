// TEMPORARY interface copy until the monitor branch merges.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include "base/result.hpp"
namespace berth::engine {
struct LogEntry { int stream; std::string text; std::int64_t time_ns; };
struct LogReadOptions { bool stdout_=true, stderr_=true; std::int64_t since_ns=0, until_ns=0; std::optional<std::size_t> tail; bool follow=false; };
Result<void> read_json_log(const std::string& path, const LogReadOptions& o, const std::function<bool(const LogEntry&)>& emit, const std::function<bool()>& keep_following);
}

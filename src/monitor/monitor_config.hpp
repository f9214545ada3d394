// <state-dir>/monitor.json: what a monitor runs (docs/monitor.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.hpp"
#include "base/result.hpp"
#include "monitor/json_log_writer.hpp"

namespace berth::monitor {

struct LogConfig {
    std::string path;
    LogLimits limits;
};

struct MonitorConfig {
    std::string id;
    std::string bundle;
    std::string runtime_root;
    bool tty = false;
    bool open_stdin = false;
    bool stdin_once = false;
    std::optional<LogConfig> log;
};

Result<MonitorConfig> parse_monitor_config(const Json& j);
Json monitor_config_json(const MonitorConfig& c);

inline constexpr const char* kConfigFile = "monitor.json";
inline constexpr const char* kSocketFile = "monitor.sock";
inline constexpr const char* kExitFile = "exit.json";

}  // namespace berth::monitor

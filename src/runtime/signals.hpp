// Signal names <-> numbers, as `kill` accepts them: "KILL", "SIGKILL", "9", "RTMIN+3".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::runtime {

std::optional<int> parse_signal(std::string_view s);
std::string signal_name(int sig);  // "SIGTERM"; "SIG38" style for unnamed

}  // namespace berth::runtime

// How `events` prints one event from GET /events.
#pragma once

#include <string>

#include "base/json.hpp"

namespace berth::cli {

// docker's default line: "2024-01-02T03:04:05.123456789Z image tag sha256:... (name=busybox:1)",
// the time from timeNano (else time), attributes sorted by key.
std::string event_line(const Json& event);

// The event with the field names docker's --format templates use (.Status, .ID,
// .From, .Scope, .Time, .TimeNano; .Type, .Action, .Actor stay).
Json event_template_data(Json event);

}  // namespace berth::cli

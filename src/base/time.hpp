// Wall-clock time as the runtime spec and the Docker API print it.
#pragma once

#include <string>

namespace berth {

// "2026-11-23T13:20:29.123456789Z" (RFC 3339, UTC, nanoseconds).
std::string rfc3339_now();

}  // namespace berth

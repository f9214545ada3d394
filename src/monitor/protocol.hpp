// The wire format between berthd and a container's monitor (docs/monitor.md):
// JSON lines for requests and answers, and Docker's stdcopy frames for output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::monitor {

// stdcopy stream bytes. `exit` is ours: an exec session's last frame, whose
// payload is {"exit_code": N}.
enum class Stream : std::uint8_t { stdin_ = 0, stdout_ = 1, stderr_ = 2, exit = 3 };

inline constexpr std::size_t kFrameHeaderSize = 8;

// Appends one frame (8-byte header: stream, three zero bytes, big-endian length;
// then the payload) to `out`.
void append_frame(std::string& out, Stream stream, std::string_view payload);

struct FrameHeader {
    Stream stream = Stream::stdout_;
    std::uint32_t length = 0;
};
// Decodes the header at the start of `bytes` (at least kFrameHeaderSize long);
// an error for an unknown stream byte or nonzero padding.
Result<FrameHeader> parse_frame_header(std::string_view bytes);

// ErrorKind <-> the "kind" field of an error answer ("not_found", ...).
const char* error_kind_name(ErrorKind k);
ErrorKind error_kind_from_name(std::string_view name);

// {"error": message, "kind": kind} as one line, newline included.
std::string error_line(const Error& e);

}  // namespace berth::monitor

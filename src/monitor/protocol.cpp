#include "monitor/protocol.hpp"

#include "base/json.hpp"
#include "base/stdcopy.hpp"

namespace berth::monitor {

void append_frame(std::string& out, Stream stream, std::string_view payload) {
    out += encode_frame(static_cast<unsigned char>(stream), payload);
}

Result<FrameHeader> parse_frame_header(std::string_view bytes) {
    if (bytes.size() < kFrameHeaderSize) return fail("frame header: short");
    auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    if (b(0) > 3 || b(1) || b(2) || b(3))
        return fail("frame header: not a stdcopy header (stream byte " + std::to_string(b(0)) +
                    ")");
    FrameHeader h;
    h.stream = static_cast<Stream>(b(0));
    h.length = (std::uint32_t{b(4)} << 24) | (std::uint32_t{b(5)} << 16) |
               (std::uint32_t{b(6)} << 8) | std::uint32_t{b(7)};
    return h;
}

namespace {
constexpr std::pair<ErrorKind, const char*> kKindNames[] = {
    {ErrorKind::internal, "internal"},       {ErrorKind::invalid_argument, "invalid_argument"},
    {ErrorKind::not_found, "not_found"},     {ErrorKind::conflict, "conflict"},
    {ErrorKind::unavailable, "unavailable"}, {ErrorKind::unauthorized, "unauthorized"},
};
}  // namespace

const char* error_kind_name(ErrorKind k) {
    for (auto& [kind, name] : kKindNames)
        if (kind == k) return name;
    return "internal";
}

ErrorKind error_kind_from_name(std::string_view name) {
    for (auto& [kind, n] : kKindNames)
        if (name == n) return kind;
    return ErrorKind::internal;
}

std::string error_line(const Error& e) {
    return dump_compact(Json{{"error", e.message}, {"kind", error_kind_name(e.kind)}}) + "\n";
}

}  // namespace berth::monitor

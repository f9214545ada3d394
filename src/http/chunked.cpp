#include "http/chunked.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace berth::http {

namespace {
// A chunk-size line is hex digits plus optional extensions; nobody needs more.
constexpr std::size_t kMaxChunkLine = 4096;
constexpr std::size_t kMaxTrailerLine = 64 * 1024;

Result<std::string> read_framing_line(SocketReader& in, std::size_t max) {
    auto line = BERTH_TRY(in.read_line(max));
    switch (line.status) {
        case SocketReader::LineStatus::ok: return std::move(line.text);
        case SocketReader::LineStatus::eof: return fail("chunked body: connection closed mid-body");
        case SocketReader::LineStatus::too_long: break;
    }
    return fail("chunked body: framing line longer than " + std::to_string(max) + " bytes");
}
}  // namespace

Result<void> ChunkedReader::next_chunk() {
    if (started_) {  // the CRLF that ends the previous chunk's data
        auto end = BERTH_TRY(read_framing_line(in_, kMaxChunkLine));
        if (!end.empty()) return fail("chunked body: chunk data not followed by CRLF");
    }
    started_ = true;
    auto line = BERTH_TRY(read_framing_line(in_, kMaxChunkLine));
    std::string_view size_text(line);
    size_text = size_text.substr(0, size_text.find(';'));  // drop chunk extensions
    while (!size_text.empty() && (size_text.back() == ' ' || size_text.back() == '\t'))
        size_text.remove_suffix(1);
    std::uint64_t size = 0;
    auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || ec != std::errc() || p != size_text.data() + size_text.size())
        return fail("chunked body: bad chunk size line \"" + line.substr(0, 40) + "\"");
    left_ = size;
    if (size == 0) {
        done_ = true;
        for (;;) {  // trailer section up to the empty line
            auto trailer = BERTH_TRY(read_framing_line(in_, kMaxTrailerLine));
            if (trailer.empty()) break;
        }
    }
    return {};
}

Result<std::size_t> ChunkedReader::read(char* buf, std::size_t size) {
    if (size == 0) return 0;
    while (left_ == 0) {
        if (done_) return 0;
        BERTH_TRYV(next_chunk());
    }
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, left_));
    std::size_t n = BERTH_TRY(in_.read(buf, want));
    if (n == 0) return fail("chunked body: connection closed mid-chunk");
    left_ -= n;
    return n;
}

Result<void> write_chunk(ByteWriter& out, std::string_view data) {
    if (data.empty()) return {};
    char hex[20];
    auto end = std::to_chars(hex, hex + sizeof hex, data.size(), 16).ptr;
    std::string frame(hex, end);
    frame += "\r\n";
    frame.reserve(frame.size() + data.size() + 2);
    frame.append(data);
    frame.append("\r\n");
    return out.write(frame);
}

Result<void> write_last_chunk(ByteWriter& out) { return out.write("0\r\n\r\n"); }

}  // namespace berth::http

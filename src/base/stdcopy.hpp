// Docker's multiplexed stream format ("stdcopy"): each frame is an 8-byte header
// — the stream (1 stdout, 2 stderr; berth uses 3 for control messages between the
// monitor and the daemon), three zero bytes, the payload length big-endian — and
// the payload. Attach, exec and logs speak it when there is no tty.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace berth {

inline constexpr unsigned char kStdout = 1, kStderr = 2, kControl = 3;

inline std::string encode_frame(unsigned char stream, std::string_view payload) {
    std::string out(8, '\0');
    out[0] = static_cast<char>(stream);
    auto len = static_cast<std::uint32_t>(payload.size());
    out[4] = static_cast<char>(len >> 24);
    out[5] = static_cast<char>(len >> 16);
    out[6] = static_cast<char>(len >> 8);
    out[7] = static_cast<char>(len);
    out.append(payload);
    return out;
}

// Reassembles frames from a byte stream read in arbitrary pieces.
class FrameDecoder {
  public:
    // Calls deliver(stream, whole_frame, payload) for each complete frame.
    template <typename F>
    void feed(std::string_view bytes, F&& deliver) {
        buf_.append(bytes);
        std::size_t pos = 0;
        while (buf_.size() - pos >= 8) {
            auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos);
            std::size_t len = (std::size_t{h[4]} << 24) | (std::size_t{h[5]} << 16) |
                              (std::size_t{h[6]} << 8) | std::size_t{h[7]};
            if (buf_.size() - pos < 8 + len) break;
            std::string_view all(buf_);
            deliver(h[0], all.substr(pos, 8 + len), all.substr(pos + 8, len));
            pos += 8 + len;
        }
        buf_.erase(0, pos);
    }

  private:
    std::string buf_;
};

}  // namespace berth

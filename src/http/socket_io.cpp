#include "http/socket_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace berth::http {

namespace {
// Large enough that a streamed body arrives in few syscalls.
constexpr std::size_t kReadChunk = 64 * 1024;
}  // namespace

Result<std::size_t> SocketReader::fill() {
    // Drop consumed bytes so the buffer holds at most one partial line plus a read.
    buf_.erase(0, pos_);
    pos_ = 0;
    std::size_t old = buf_.size();
    buf_.resize(old + kReadChunk);
    auto n = read_source(buf_.data() + old, kReadChunk);
    buf_.resize(old + (n ? *n : 0));
    return n;
}

Result<std::size_t> SocketReader::read_source(char* buf, std::size_t size) {
    if (transport_) return transport_->read(buf, size);
    for (;;) {
        ssize_t n = ::read(fd_, buf, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return sys_fail("read from socket");
    }
}

Result<std::size_t> SocketReader::read(char* buf, std::size_t size) {
    if (!has_buffered()) {
        // A large read goes straight to the caller: no copy through the buffer.
        if (size >= kReadChunk) return read_source(buf, size);
        if (BERTH_TRY(fill()) == 0) return 0;
    }
    std::size_t n = std::min(size, buf_.size() - pos_);
    std::memcpy(buf, buf_.data() + pos_, n);
    pos_ += n;
    return n;
}

Result<SocketReader::Line> SocketReader::read_line(std::size_t max) {
    std::size_t scanned = pos_;
    for (;;) {
        auto nl = buf_.find('\n', scanned);
        if (nl != std::string::npos) {
            std::size_t end = nl;
            if (end > pos_ && buf_[end - 1] == '\r') --end;
            if (end - pos_ > max) return Line{LineStatus::too_long, {}};
            Line line{LineStatus::ok, buf_.substr(pos_, end - pos_)};
            pos_ = nl + 1;
            return line;
        }
        if (buf_.size() - pos_ > max + 1) return Line{LineStatus::too_long, {}};
        scanned = buf_.size();
        // fill() may compact the buffer, so keep positions relative to pos_.
        std::size_t rel = scanned - pos_;
        if (BERTH_TRY(fill()) == 0) return Line{LineStatus::eof, {}};
        scanned = pos_ + rel;
    }
}

std::string SocketReader::take_buffered() {
    std::string rest = buf_.substr(pos_);
    buf_.clear();
    pos_ = 0;
    return rest;
}

Result<bool> SocketReader::wait_readable(int timeout_ms) {
    if (has_buffered()) return true;
    pollfd p{fd_, POLLIN, 0};
    for (;;) {
        int n = ::poll(&p, 1, timeout_ms);
        if (n >= 0) return n > 0;
        if (errno != EINTR) return sys_fail("poll socket");
    }
}

Result<void> SocketWriter::write(std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("write to socket");
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

}  // namespace berth::http

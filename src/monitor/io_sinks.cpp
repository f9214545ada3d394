#include "monitor/io_sinks.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace berth::monitor {

void StdinSink::push(std::string_view data) {
    if (!open() || closing_) return;
    pending_.append(data);
    flush();
}

void StdinSink::flush() {
    while (!pending_.empty() && open()) {
        ssize_t n = ::write(fd(), pending_.data(), pending_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) {  // the process closed its stdin (EPIPE) or the pty is gone
            drop();
            return;
        }
        pending_.erase(0, static_cast<std::size_t>(n));
    }
    if (pending_.empty()) {
        pending_.shrink_to_fit();
        if (closing_) owned_.reset();
    }
}

void StdinSink::close_when_flushed() {
    closing_ = true;
    flush();
}

bool send_pending(int fd, std::string& pending) {
    while (!pending.empty()) {
        ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n < 0) return false;
        pending.erase(0, static_cast<std::size_t>(n));
    }
    pending.shrink_to_fit();
    return true;
}

}  // namespace berth::monitor

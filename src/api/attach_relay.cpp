#include "api/attach_relay.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/stdcopy.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::api {

Result<std::string> parse_detach_keys(std::string_view spec) {
    std::string out;
    for (auto key : split(spec, ',')) {
        std::string_view k = key;
        if (k.size() == 1) {
            out.push_back(k[0]);
        } else if (k.starts_with("ctrl-") && k.size() == 6) {
            char c = k[5];
            if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 'a' + 1));
            else if (c == '@') out.push_back(0);
            else if (c >= '[' && c <= '_') out.push_back(static_cast<char>(c - '[' + 27));
            else return fail_as(ErrorKind::invalid_argument, cat("Invalid escape keys (", spec, ") provided"));
        } else {
            return fail_as(ErrorKind::invalid_argument, cat("Invalid escape keys (", spec, ") provided"));
        }
    }
    return out;
}

namespace {

bool write_fully(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

RelayEnd relay_stream(int client_fd, std::string client_buffered, int monitor_fd, const RelayOptions& o) {
    FrameDecoder frames;
    bool client_reading = true;  // the client may still send stdin
    std::size_t detach_matched = 0;
    std::string held;  // a prefix of the detach keys, held back until it is decided

    auto forward_in = [&](std::string_view data) -> std::optional<RelayEnd> {
        if (!o.forward_stdin) return std::nullopt;
        std::string out;
        for (char ch : data) {
            if (!o.detach_keys.empty() && ch == o.detach_keys[detach_matched]) {
                held.push_back(ch);
                if (++detach_matched == o.detach_keys.size()) return RelayEnd::detached;
                continue;
            }
            out += held;
            held.clear();
            detach_matched = 0;
            if (!o.detach_keys.empty() && ch == o.detach_keys[0]) {
                held.push_back(ch);
                detach_matched = 1;
                if (o.detach_keys.size() == 1) return RelayEnd::detached;
                continue;
            }
            out.push_back(ch);
        }
        if (!out.empty() && !write_fully(monitor_fd, out)) return std::nullopt;
        return std::nullopt;
    };
    if (!client_buffered.empty())
        if (auto end = forward_in(client_buffered)) return *end;

    char buf[32 * 1024];
    for (;;) {
        pollfd p[2] = {{monitor_fd, POLLIN, 0}, {client_fd, static_cast<short>(client_reading ? POLLIN : 0), 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return RelayEnd::client_gone;
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(monitor_fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return RelayEnd::output_closed;
            bool ok = true;
            frames.feed(std::string_view(buf, static_cast<std::size_t>(n)),
                        [&](unsigned char stream, std::string_view whole, std::string_view payload) {
                            if (!ok) return;
                            if (stream == kControl) {
                                if (o.on_control) o.on_control(payload);
                                return;
                            }
                            ok = write_fully(client_fd, o.tty ? payload : whole);
                        });
            if (!ok) return RelayEnd::client_gone;
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(client_fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return RelayEnd::client_gone;
            if (n == 0) {
                // The client closed its sending side: stdin ends, output goes on.
                client_reading = false;
                if (o.forward_stdin) ::shutdown(monitor_fd, SHUT_WR);
                continue;
            }
            if (auto end = forward_in(std::string_view(buf, static_cast<std::size_t>(n)))) return *end;
        }
    }
}

}  // namespace berth::api

#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

namespace berth::runtime {

Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return sys_fail("socketpair");
    return std::pair{SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

Result<void> SyncChannel::send(SyncTag tag, std::string_view payload) {
    std::string msg(1, static_cast<char>(tag));
    msg.append(payload.substr(0, 60000));
    ssize_t n;
    do {
        n = ::send(fd_.get(), msg.data(), msg.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
        // The peer gave up first: its last message says why.
        int err = errno;
        auto last = receive();
        if (!last) return std::unexpected(std::move(last.error()));
        return sys_fail("sync send", err);
    }
    if (n < 0) return sys_fail("sync send");
    return {};
}

Result<SyncMessage> SyncChannel::receive() {
    std::string buf(65536, '\0');
    ssize_t n;
    do {
        n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_fail("sync receive");
    if (n == 0) return fail("container init exited unexpectedly");
    buf.resize(static_cast<size_t>(n));
    SyncMessage m{static_cast<SyncTag>(buf[0]), buf.substr(1)};
    if (m.tag == SyncTag::error) return fail(m.payload);
    return m;
}

Result<void> SyncChannel::expect(SyncTag expected) {
    auto m = BERTH_TRY(receive());
    if (m.tag != expected)
        return fail(std::string("sync: expected message '") + static_cast<char>(expected) +
                    "', got '" + static_cast<char>(m.tag) + "'");
    return {};
}

}  // namespace berth::runtime

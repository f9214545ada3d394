#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

#include <cstring>

namespace berth::runtime {

static constexpr size_t kMaxFds = 32;  // one per cgroup v1 hierarchy, with room

Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return sys_fail("socketpair");
    return std::pair{SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

Result<void> SyncChannel::send_failed(int err) {
    if (err == EPIPE || err == ECONNRESET) {
        // The peer gave up first: its last message, still queued, says why.
        auto last = receive();
        if (!last) return std::unexpected(std::move(last.error()));
    }
    return sys_fail("sync send", err);
}

Result<void> SyncChannel::send(SyncTag tag, std::string_view payload) {
    // One datagram; the receiver's buffer is 64 KiB. Payloads are state JSON and
    // error messages, far smaller; refuse rather than cut one short.
    if (payload.size() > 60000)
        return fail("sync: message of " + std::to_string(payload.size()) + " bytes is too large");
    std::string msg(1, static_cast<char>(tag));
    msg.append(payload);
    ssize_t n;
    do {
        n = ::send(fd_.get(), msg.data(), msg.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return send_failed(errno);
    return {};
}

Result<void> SyncChannel::send_fds(SyncTag tag, const std::vector<UniqueFd>& fds) {
    if (fds.size() > kMaxFds) return fail("sync: too many fds");
    char t = static_cast<char>(tag);
    iovec iov{&t, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (!fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        for (size_t i = 0; i < fds.size(); ++i) {
            int fd = fds[i].get();
            std::memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
        }
    }
    ssize_t n;
    do {
        n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return send_failed(errno);
    return {};
}

Result<SyncMessage> SyncChannel::receive() {
    std::string buf(65536, '\0');
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_fail("sync receive");
    if (n == 0) return fail("container init exited unexpectedly");
    buf.resize(static_cast<size_t>(n));
    SyncMessage m{static_cast<SyncTag>(buf[0]), buf.substr(1), {}};
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            m.fds.emplace_back(fd);
        }
    }
    if (m.tag == SyncTag::error) return fail(m.payload);
    return m;
}

Result<SyncMessage> SyncChannel::expect(SyncTag expected) {
    auto m = BERTH_TRY(receive());
    if (m.tag != expected)
        return fail(std::string("sync: expected message '") + static_cast<char>(expected) +
                    "', got '" + static_cast<char>(m.tag) + "'");
    return m;
}

}  // namespace berth::runtime

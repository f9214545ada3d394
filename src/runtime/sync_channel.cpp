#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

#include "base/unix_socket.hpp"

namespace berth::runtime {

Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return sys_fail("socketpair");
    return std::pair{SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

Result<void> SyncChannel::send_message(const std::string& msg, const std::vector<int>& fds) {
    auto r = send_with_fds(fd_.get(), msg, fds);
    if (r) return {};
    int err = r.error().sys_errno;
    if (err == EPIPE || err == ECONNRESET) {
        // The peer gave up first: its last message, still queued, says why.
        auto last = receive();
        if (!last) return std::unexpected(std::move(last.error()));
    }
    return std::unexpected(std::move(r.error()).context("sync send"));
}

Result<void> SyncChannel::send(SyncTag tag, std::string_view payload) {
    // One datagram; the receiver's buffer is 64 KiB. Payloads are state JSON and
    // error messages, far smaller; refuse rather than cut one short.
    if (payload.size() > 60000)
        return fail("sync: message of " + std::to_string(payload.size()) + " bytes is too large");
    std::string msg(1, static_cast<char>(tag));
    msg.append(payload);
    return send_message(msg, {});
}

Result<void> SyncChannel::send_fds(SyncTag tag, const std::vector<UniqueFd>& fds) {
    std::vector<int> raw;
    for (auto& fd : fds) raw.push_back(fd.get());
    return send_message(std::string(1, static_cast<char>(tag)), raw);
}

Result<SyncMessage> SyncChannel::receive() {
    auto m = BERTH_TRY(with_context(recv_with_fds(fd_.get(), 65536), "sync receive"));
    if (m.data.empty()) return fail("container init exited unexpectedly");
    SyncMessage out;
    out.tag = static_cast<SyncTag>(m.data.at(0));
    out.payload = m.data.substr(1);
    out.fds = std::move(m.fds);
    if (out.tag == SyncTag::error) return fail(out.payload);
    return out;
}

Result<SyncMessage> SyncChannel::expect(SyncTag expected) {
    auto m = BERTH_TRY(receive());
    if (m.tag != expected)
        return fail(std::string("sync: expected message '") + static_cast<char>(expected) +
                    "', got '" + static_cast<char>(m.tag) + "'");
    return m;
}

}  // namespace berth::runtime

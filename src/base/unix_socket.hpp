// Unix-domain sockets: connect by path, and messages that carry file descriptors
// (SCM_RIGHTS) — the console socket, the seccomp agent, the runtime <-> init channel.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth {

// sun_path holds 107 bytes; a longer `path` is reached through its directory as
// /proc/self/fd/N/<name>, so deep state directories still work.
Result<UniqueFd> connect_unix(const std::string& path);
// A listening stream socket bound at `path` (any stale socket there is replaced),
// mode 0600; `flags` go to socket(2) with SOCK_CLOEXEC (e.g. SOCK_NONBLOCK).
Result<UniqueFd> listen_unix(const std::string& path, int backlog, int flags = 0);

// The most fds one message may carry here.
inline constexpr size_t kMaxPassedFds = 32;

// One sendmsg with `fds` attached to the first bytes of `data` (at least one byte
// is sent, a NUL when data is empty); on a stream socket the rest of `data`
// follows in plain sends. SIGPIPE is never raised.
Result<void> send_with_fds(int sock, std::string_view data, const std::vector<int>& fds);
Result<void> send_fd(int sock, int fd, std::string_view data);

struct ReceivedMessage {
    std::string data;           // empty when the peer closed without sending
    std::vector<UniqueFd> fds;  // close-on-exec
};
// One recvmsg of up to `max_data` bytes and whatever fds came with them.
Result<ReceivedMessage> recv_with_fds(int sock, size_t max_data = 4096);

struct ReceivedFd {
    UniqueFd fd;
    std::string data;
};
// An invalid fd (and no error) when the peer closed without sending one.
Result<ReceivedFd> recv_fd(int sock);

}  // namespace berth

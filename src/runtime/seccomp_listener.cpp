// Hands a seccomp notify fd to the agent at linux.seccomp.listenerPath
// (config-linux.md, "Seccomp"; runtime.md's container process state).
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "base/unique_fd.hpp"
#include "runtime/process_security.hpp"
#include "runtime/security_text.hpp"

namespace berth::runtime {
namespace {

Result<UniqueFd> connect_unix(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        return fail(cat("socket path ", quoted(path), " is empty or longer than ",
                        sizeof addr.sun_path - 1, " bytes"));
    std::memcpy(addr.sun_path, path.data(), path.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return sys_fail("socket(AF_UNIX)");
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return sys_fail(cat("connect to ", path));
    return fd;
}

// One sendmsg carries the fd with the first bytes; the rest of a long state goes
// in plain sends (a stream socket may take the data in pieces).
Result<void> send_with_fd(int sock, int fd, std::string_view data) {
    iovec iov{const_cast<char*>(data.data()), data.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return sys_fail("sendmsg(SCM_RIGHTS)");
    for (size_t sent = static_cast<size_t>(n); sent < data.size();) {
        n = ::send(sock, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("send the container process state");
        sent += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace

Result<void> send_seccomp_listener(const std::string& listener_path, int fd,
                                   const std::string& process_state_json) {
    auto ctx = cat("send the seccomp notify fd to linux.seccomp.listenerPath ",
                   quoted(listener_path));
    // The state must not be empty: the agent needs at least one byte to receive
    // the fd with.
    if (process_state_json.empty()) return fail(ctx + ": empty process state");
    auto sock = BERTH_TRY(with_context(connect_unix(listener_path), ctx));
    return with_context(send_with_fd(sock.get(), fd, process_state_json), ctx);
}

}  // namespace berth::runtime

#include "base/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace berth {

Result<UniqueFd> connect_unix(const std::string& path) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        return fail("socket path \"" + path + "\" is empty or longer than " +
                    std::to_string(sizeof addr.sun_path - 1) + " bytes");
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return sys_fail("socket");
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    while (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        if (errno != EINTR) return sys_fail("connect to " + path);
    return s;
}

Result<void> send_fd(int sock, int fd, std::string_view data) {
    std::string bytes = data.empty() ? std::string(1, '\0') : std::string(data);
    iovec iov{bytes.data(), bytes.size()};
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
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do {
        n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_fail("sendmsg");
    // The fd travels with the first bytes; a stream socket may take the rest in pieces.
    for (size_t sent = static_cast<size_t>(n); sent < bytes.size();) {
        n = ::send(sock, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("send");
        sent += static_cast<size_t>(n);
    }
    return {};
}

Result<ReceivedFd> recv_fd(int sock) {
    std::string bytes(4096, '\0');
    iovec iov{bytes.data(), bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_fail("recvmsg");
    if (n == 0) return ReceivedFd{};  // the peer closed without sending
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return fail("recvmsg: no file descriptor received");
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
    bytes.resize(static_cast<size_t>(n));
    return ReceivedFd{UniqueFd(fd), std::move(bytes)};
}

}  // namespace berth

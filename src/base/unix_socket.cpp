#include "base/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace berth {

namespace {

// The address for `path`; when it doesn't fit, `dir` holds an O_PATH descriptor of
// its directory and the address names the socket through /proc/self/fd.
Result<sockaddr_un> socket_address(const std::string& path, UniqueFd& dir) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string name = path;
    if (path.empty()) return fail("socket path is empty");
    if (path.size() >= sizeof addr.sun_path) {
        auto slash = path.rfind('/');
        std::string parent = slash == 0 ? "/" : path.substr(0, slash);
        dir = UniqueFd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dir) return sys_fail("open " + parent);
        name = "/proc/self/fd/" + std::to_string(dir.get()) + "/" + path.substr(slash + 1);
        if (name.size() >= sizeof addr.sun_path) return fail("socket name in " + path + " is too long");
    }
    std::memcpy(addr.sun_path, name.data(), name.size());
    return addr;
}

}  // namespace

Result<UniqueFd> connect_unix(const std::string& path) {
    UniqueFd dir;
    auto addr = BERTH_TRY(socket_address(path, dir));
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return sys_fail("socket");
    while (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        if (errno != EINTR) return sys_fail("connect to " + path);
    return s;
}

Result<UniqueFd> listen_unix(const std::string& path, int backlog, int flags) {
    UniqueFd dir;
    auto addr = BERTH_TRY(socket_address(path, dir));
    ::unlink(path.c_str());  // left by a process before us that died
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0));
    if (!s) return sys_fail("socket");
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return sys_fail("bind " + path);
    if (::chmod(path.c_str(), 0600) != 0) return sys_fail("chmod " + path);
    if (::listen(s.get(), backlog) != 0) return sys_fail("listen " + path);
    return s;
}

Result<void> send_with_fds(int sock, std::string_view data, const std::vector<int>& fds) {
    if (fds.size() > kMaxPassedFds) return fail("sendmsg: too many file descriptors");
    std::string bytes = data.empty() ? std::string(1, '\0') : std::string(data);
    iovec iov{bytes.data(), bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)] = {};
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
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n;
    do {
        n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_fail("sendmsg");
    // The fds travel with the first bytes; a stream socket may take the rest in pieces.
    for (size_t sent = static_cast<size_t>(n); sent < bytes.size();) {
        n = ::send(sock, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("send");
        sent += static_cast<size_t>(n);
    }
    return {};
}

Result<void> send_fd(int sock, int fd, std::string_view data) {
    return send_with_fds(sock, data, {fd});
}

Result<ReceivedMessage> recv_with_fds(int sock, size_t max_data) {
    ReceivedMessage out;
    out.data.resize(max_data);
    iovec iov{out.data.data(), out.data.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)] = {};
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
    out.data.resize(static_cast<size_t>(n));
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            out.fds.emplace_back(fd);
        }
    }
    return out;
}

Result<ReceivedFd> recv_fd(int sock) {
    auto m = BERTH_TRY(recv_with_fds(sock));
    if (m.data.empty() && m.fds.empty()) return ReceivedFd{};  // the peer closed
    if (m.fds.empty()) return fail("recvmsg: no file descriptor received");
    return ReceivedFd{std::move(m.fds.front()), std::move(m.data)};
}

}  // namespace berth

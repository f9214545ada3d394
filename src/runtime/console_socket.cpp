// The --console-socket protocol: one stream message whose data is the pty name
// and whose SCM_RIGHTS control message carries the master fd (what runc sends and
// containerd/podman's console receivers expect).
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "runtime/terminal.hpp"

namespace berth::runtime {

namespace {

Result<void> send_console_fd(int socket_fd, int master, const std::string& name) {
    // A zero-byte stream message carries no control data, so the name is required.
    if (name.empty()) return fail("send console: empty pty name");
    iovec iov{const_cast<char*>(name.data()), name.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cm), &master, sizeof(int));
    for (;;) {
        ssize_t n = ::sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("send console fd");
        // The fd travels with the first byte; a short write only truncates the name.
        if (static_cast<size_t>(n) != name.size()) return fail("send console fd: short write");
        return {};
    }
}

}  // namespace

Result<void> send_console(const std::string& socket_path, int master, const std::string& name) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path)
        return fail("console socket " + socket_path + ": path too long");
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return sys_fail("console socket " + socket_path + ": socket");
    UniqueFd sock(s);
    while (::connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno != EINTR) return sys_fail("connect to console socket " + socket_path);
    }
    return with_context(send_console_fd(s, master, name), "console socket " + socket_path);
}

}  // namespace berth::runtime

// Helpers shared by unit tests. Deliberately independent of the code under test:
// the socket side here is written the way a driver (containerd's console receiver,
// a seccomp agent) would, so a test checks berth against it, not against itself.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "base/unique_fd.hpp"

namespace berth::test {

// A file's contents (empty when unreadable), trailing newlines dropped if asked.
inline std::string read_text(const std::string& path, bool trim_newlines = true) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto s = ss.str();
    while (trim_newlines && !s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

// A unix stream socket listening at `path`; invalid if bind or listen failed.
inline UniqueFd listen_unix(const std::string& path) {
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(s.get(), 1) != 0)
        return UniqueFd();
    return s;
}

// Receives one message and the fd sent with it (SCM_RIGHTS); invalid if none.
inline UniqueFd receive_fd(int sock, std::string& data) {
    char buf[4096];
    iovec iov{buf, sizeof buf};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) return UniqueFd();
    data.assign(buf, static_cast<size_t>(n));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return UniqueFd();
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return UniqueFd(fd);
}

}  // namespace berth::test

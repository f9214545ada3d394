// One accepted client connection: the socket and its two ends. The server's
// thread owns it until a handler hijacks the socket for a raw stream.
#pragma once

#include <functional>

#include "http/socket_io.hpp"
#include "base/unique_fd.hpp"

namespace berth::http {

struct Connection {
    explicit Connection(UniqueFd socket) : fd(std::move(socket)), in(fd.get()), out(fd.get()) {}

    UniqueFd fd;
    SocketReader in;
    SocketWriter out;
    // Called just before a handler takes the socket, so the server stops tracking it.
    std::function<void(int fd)> on_hijack;
};

}  // namespace berth::http

// The head of an HTTP message: its start line and header fields (RFC 9112 §2-5),
// read the same way for requests (daemon) and responses (client).
#pragma once

#include <cstddef>
#include <expected>
#include <string>

#include "http/headers.hpp"
#include "http/socket_io.hpp"

namespace berth::http {

struct Head {
    std::string start_line;
    Headers headers;
};

struct HeadError {
    enum class Kind {
        closed,     // the stream ended before the first byte: a normal end of keep-alive
        too_large,  // the head exceeds the limit (a server answers 431)
        malformed,  // not HTTP (a server answers 400)
        io,         // the connection failed or ended mid-head
    };
    Kind kind = Kind::io;
    std::string message;
    ErrorKind cause = ErrorKind::internal;  // for io: the kind of the read's own error
};

// Reads a head of at most `limit` bytes, leaving `in` at the first body byte.
std::expected<Head, HeadError> read_head(SocketReader& in, std::size_t limit);

}  // namespace berth::http

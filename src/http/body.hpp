// How an HTTP message's body is delimited (RFC 9112 §6), and a reader that stops
// exactly at its end so the next message on the connection stays intact.
#pragma once

#include <cstdint>
#include <memory>

#include "http/headers.hpp"
#include "http/socket_io.hpp"
#include "base/stream.hpp"

namespace berth::http {

struct BodyFraming {
    enum class Kind { none, length, chunked, until_close };
    Kind kind = Kind::none;
    std::uint64_t length = 0;  // for Kind::length
};

// A request's framing: chunked, else Content-Length, else no body (RFC 9112 §6.3).
// Fails on a transfer coding other than chunked or a malformed or conflicting length.
Result<BodyFraming> request_framing(const Headers& headers);
// A response's framing: none for HEAD, 1xx, 204 and 304; with neither chunked nor
// Content-Length, the body runs until the server closes.
Result<BodyFraming> response_framing(const Headers& headers, int status, bool head_request);

// Reads the body framed as `framing` from `in`, which must outlive the reader.
std::unique_ptr<ByteReader> make_body_reader(const BodyFraming& framing, SocketReader& in);

}  // namespace berth::http

// A parsed HTTP/1.x request whose body streams from the connection (docker load and
// import send archives of gigabytes, chunked: they are never held in memory).
#pragma once

#include <sys/types.h>

#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.hpp"
#include "http/query.hpp"
#include "http/socket_io.hpp"
#include "base/stream.hpp"

namespace berth::http {

// The largest request head accepted; Docker's own limit (Go's http.Server default).
inline constexpr std::size_t kMaxRequestHead = 1 << 20;

// Who is at the other end of a unix socket (SO_PEERCRED), for authorization later.
struct Peer {
    pid_t pid = 0;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
};

class RequestBody;

struct Request {
    std::string method;
    std::string target;       // as sent: "/v1.41/images/json?all=1"
    std::string path;         // percent-decoded, without the query
    Query query;
    Headers headers;
    std::map<std::string, std::string> params;  // the router's captures
    std::string api_version;  // "1.41" from a /v1.41/ prefix; empty without one
    int http_minor = 1;       // 0 for HTTP/1.0, 1 for HTTP/1.1
    Peer peer;

    Request();
    Request(Request&&) noexcept;
    Request& operator=(Request&&) noexcept;
    ~Request();

    std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
    // The first value of query parameter `name`, "" when absent (Go's Form.Get).
    std::string query_value(std::string_view name) const;
    bool has_query(std::string_view name) const { return query.contains(std::string(name)); }
    // docker_bool() of the parameter.
    bool query_bool(std::string_view name) const { return docker_bool(query_value(name)); }
    // The parameter as an integer; `fallback` when absent or empty, an error naming
    // the parameter when it is not a number.
    Result<long long> query_int(std::string_view name, long long fallback) const;
    // The `filters` parameter, parsed.
    Result<Filters> filters() const;

    // The body, read as it arrives; the first read answers Expect: 100-continue.
    ByteReader& body();
    // Whether the client lets the connection carry another request after this one
    // (HTTP/1.1 unless "Connection: close"; HTTP/1.0 never, keep-alive is not spoken).
    bool keep_alive() const;
    // Whether the client asked to upgrade to a raw stream (docker attach/exec).
    bool wants_upgrade() const;
    // Consumes the rest of the body so the next request can be read: false when
    // more than `limit` bytes are left, the body is broken, or the client still
    // waits for 100 Continue (it may never send the body: RFC 9110 §10.1.1).
    bool finish_body(std::size_t limit);

    std::unique_ptr<RequestBody> body_;  // set by read_request(); read it through body()
};

// Why no request was read: `status` is the answer the client is owed (400, 431),
// 0 when none is possible (the client closed, or the connection failed).
struct RequestError {
    int status = 0;
    std::string message;
};

// Reads the next request from a connection; `out` answers 100-continue.
std::expected<Request, RequestError> read_request(SocketReader& in, SocketWriter& out);

}  // namespace berth::http

// One TCP connection to a registry, plain or TLS (OpenSSL), with the HTTP/1.1
// framing of src/http reading from it. Connect and every read and write are
// bounded by timeouts, so a registry that hangs becomes an error, not a stuck pull.
#pragma once

#include <memory>
#include <string>

#include "http/socket_io.hpp"
#include "base/result.hpp"
#include "base/stream.hpp"
#include "registry/url.hpp"

namespace berth::registry {

struct TransportOptions {
    int connect_timeout_ms = 15000;
    int io_timeout_ms = 60000;  // no byte for this long on an open connection fails it
    std::string ca_file;        // extra CA bundle (PEM) trusted besides the system's
    // A client certificate and its private key (PEM) for registries that want
    // mutual TLS; both or neither.
    std::string client_cert;
    std::string client_key;
};

class Connection {
  public:
    virtual ~Connection() = default;
    // The response side, buffered for head parsing (http/head.hpp).
    virtual http::SocketReader& in() = 0;
    virtual ByteWriter& out() = 0;
    // Plain HTTP through a proxy: requests name the whole URL (RFC 9112 §3.2.2,
    // absolute-form) so the proxy knows where they go.
    virtual bool via_http_proxy() const { return false; }
};

// Opens a connection to `url`'s host and port, TLS for https (certificate checked
// against the system store and `opts.ca_file`, with SNI and host name
// verification; the client certificate offered when the server asks for one).
// Network failures have ErrorKind::unavailable: callers retry those.
// A proxy from the environment (registry/proxy.hpp) is used when one applies: a
// CONNECT tunnel carries https, plain http goes to the proxy in absolute-form.
Result<std::unique_ptr<Connection>> connect(const Url& url, const TransportOptions& opts);

}  // namespace berth::registry

// HTTP/1.1 requests to registries: one connection per request (see
// docs/registry.md), redirects followed, idempotent requests retried with backoff.
// Head parsing and body framing are src/http's, shared with the daemon's client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/headers.hpp"
#include "base/result.hpp"
#include "base/stream.hpp"
#include "registry/transport.hpp"
#include "registry/url.hpp"

namespace berth::registry {

struct HttpRequest {
    std::string method = "GET";
    Url url;
    http::HeaderList headers;
    std::string body;                    // a whole body (manifests, JSON)
    ByteReader* stream = nullptr;        // or a streamed one of `stream_length` bytes (blobs);
    std::uint64_t stream_length = 0;     // a streamed request is never retried or redirected
    // Nonzero: read the whole body (at most this many bytes) before returning, so
    // that a connection dropped mid-body is retried like one dropped before it.
    std::size_t buffer_limit = 0;
};

struct HttpResponse {
    int status = 0;
    http::Headers headers;
    Url url;  // where the answer came from, after redirects

    ByteReader& body() { return *body_; }
    // The whole body, refusing more than `limit` bytes.
    Result<std::string> read_body(std::size_t limit) { return read_all(*body_, limit); }

    std::unique_ptr<Connection> conn_;  // the body reads from it
    std::unique_ptr<ByteReader> body_;
};

struct ClientOptions {
    TransportOptions transport;
    int max_redirects = 5;
    int retries = 3;             // extra attempts of idempotent requests
    int backoff_ms = 200;        // doubled after each failed attempt
};

class HttpClient {
  public:
    explicit HttpClient(ClientOptions opts = {}) : opts_(std::move(opts)) {}

    // Sends `req` and reads the response head (and the body, with buffer_limit).
    // GET and HEAD are retried on network errors and 5xx answers; 3xx answers are
    // followed (a blob GET is commonly sent to a storage host), dropping
    // Authorization when the host changes. A body that breaks off mid-way fails its
    // read() with ErrorKind::unavailable.
    Result<HttpResponse> send(HttpRequest req);

  private:
    Result<HttpResponse> send_once(const HttpRequest& req);

    ClientOptions opts_;
};

// The error text of a registry's answer: its errors[].message/code (spec
// "Error Codes") when the body has them, else the status line.
std::string registry_error_text(HttpResponse& resp);

}  // namespace berth::registry

// The berth CLI's side of the API: requests over the daemon's unix socket, bodies
// streamed both ways, and hijacked raw streams for attach and exec.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "http/headers.hpp"
#include "http/response.hpp"
#include "base/result.hpp"
#include "base/stream.hpp"
#include "base/unique_fd.hpp"

namespace berth::http {

class ClientConnection;

// A response whose body streams from the connection. It borrows the Client's
// connection: read the body to its end (or drop the Response) before the next request.
struct ClientResponse {
    int status = 0;
    std::string reason;
    Headers headers;

    ByteReader& body() { return *body_; }
    // The whole body (at most `limit` bytes), for JSON answers.
    Result<std::string> read_body(std::size_t limit = 64 << 20) { return read_all(*body_, limit); }

    std::unique_ptr<ByteReader> body_;  // set by the Client; read it through body()
};

class Client {
  public:
    // Connects to the daemon's socket; the error says the daemon may not be running
    // and keeps the connect errno (ENOENT, ECONNREFUSED, EACCES).
    static Result<Client> connect_unix(const std::string& path);

    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    ~Client();

    // Sends a request with a whole body (Content-Length) and reads the response head.
    // The connection is reused while the daemon keeps it alive, else reopened.
    Result<ClientResponse> request(std::string_view method, std::string_view target,
                                   const HeaderList& headers = {}, std::string_view body = {});
    // Same, with `body` streamed as chunks as it is read (docker load, import, build).
    Result<ClientResponse> request_streamed(std::string_view method, std::string_view target,
                                            const HeaderList& headers, ByteReader& body);

    // Sends a request asking to upgrade to a raw stream and returns the socket once
    // the daemon answered 101 or 200; other statuses are errors carrying the
    // daemon's message. The Client opens a new connection for its next request.
    Result<HijackedStream> hijack(std::string_view method, std::string_view target,
                                  const HeaderList& headers = {}, std::string_view body = {});

  private:
    explicit Client(std::string path, std::unique_ptr<ClientConnection> conn);
    Result<void> ensure_connected();
    Result<ClientResponse> exchange(std::string_view method, std::string_view target,
                                    const HeaderList& headers, std::string_view body,
                                    ByteReader* stream);

    std::string path_;
    std::unique_ptr<ClientConnection> conn_;
};

}  // namespace berth::http

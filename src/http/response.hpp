// Writing the answer to one request: a whole body, a chunked stream flushed chunk
// by chunk (docker events, pull progress), or a hijacked raw stream (attach, exec).
#pragma once

#include <string>
#include <string_view>

#include "http/connection.hpp"
#include "http/headers.hpp"
#include "http/request.hpp"
#include "base/json.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::http {

// The media type Docker gives attach and exec streams (API 1.41).
inline constexpr std::string_view kRawStreamType = "application/vnd.docker.raw-stream";

// A socket taken over by a handler, and the bytes the client sent after the
// request that were already read into the connection's buffer.
struct HijackedStream {
    UniqueFd fd;
    std::string buffered;
};

// "OK" for 200; "" for a code it does not know.
std::string_view status_reason(int status);

class ResponseWriter {
  public:
    ResponseWriter(Connection& conn, const Request& req);

    // A whole response with Content-Length (none for 204 and 304); HEAD gets the
    // head only. Every response also carries Docker's Api-Version, Docker-Experimental,
    // Ostype and Server fields.
    Result<void> send(int status, std::string_view content_type, std::string_view body,
                      const HeaderList& extra = {});
    // `body` as JSON plus a newline, as Docker's encoder writes it.
    Result<void> send_json(int status, const Json& body);
    // Docker's error shape: {"message": "..."}.
    Result<void> send_error(int status, std::string_view message);

    // Starts a chunked response (or, to an HTTP/1.0 client, a body ended by close).
    Result<void> start_chunked(int status, std::string_view content_type,
                               const HeaderList& extra = {});
    // Sends one chunk at once; fails (EPIPE, ECONNRESET) when the client has gone.
    Result<void> write_chunk(std::string_view data);
    Result<void> end_chunked();

    // Takes the socket for a raw stream: answers 101 UPGRADED when the client asked
    // for "Connection: Upgrade" + "Upgrade: tcp", else 200 OK, with Docker's raw-stream
    // type. Read the request body first: the buffered bytes returned follow it.
    Result<HijackedStream> hijack(const HeaderList& extra = {});

    bool answered() const { return state_ != State::fresh; }
    bool streaming() const { return state_ == State::streaming; }
    bool hijacked() const { return state_ == State::hijacked; }
    // Whether the connection may carry another request after this response.
    bool reusable() const { return keep_alive_ && state_ == State::done; }
    // Whether the client has hung up, without reading: a stream that is idle (events
    // waiting for the next one) checks this to stop serving a client that left.
    bool client_gone() const;

  private:
    enum class State { fresh, streaming, done, hijacked, failed };

    Result<void> write_head(int status, std::string_view content_type, const HeaderList& extra,
                            std::string_view framing_field);
    Result<void> write_raw(std::string_view data);

    Connection& conn_;
    bool head_only_;       // a HEAD request: no body bytes
    bool keep_alive_;      // the client allows reuse
    bool upgrade_wanted_;  // the client asked to upgrade to tcp
    bool chunks_raw_;      // HTTP/1.0 knows no chunked coding: body bytes go as they are
    State state_ = State::fresh;
};

}  // namespace berth::http

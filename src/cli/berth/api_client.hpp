// The berth CLI's connection to berthd: one place that knows the host syntax, the
// API version prefix, query encoding and how the daemon words its errors.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client.hpp"
#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::cli {

// The API version the CLI speaks (docker 20.10's).
inline constexpr std::string_view kApiVersion = "1.41";
inline constexpr std::string_view kDefaultHost = "unix:///run/berth/berth.sock";

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "?a=1&b=x%20y" (empty pairs list: ""), values percent-encoded as Go's url.Values.
std::string encode_query(const QueryParams& params);

// Percent-encodes a query name or value (RFC 3986 unreserved characters kept).
std::string url_escape(std::string_view text);

// Percent-encodes a name put in a path, keeping '/', ':' and '@' as docker's client
// does: "/images/localhost:5000/app:1/json".
std::string path_escape(std::string_view text);

// The socket path of a -H value: "unix:///run/x.sock" or a bare "/run/x.sock".
// Errors for other schemes: berth talks to its daemon over a unix socket only.
Result<std::string> socket_path_of_host(std::string_view host);

// The message of an API error body: {"message": "..."} as docker sends, else the
// trimmed text itself.
std::string error_message_of(std::string_view body);

class ApiClient {
  public:
    // Connects to `host` (see socket_path_of_host).
    static Result<ApiClient> connect(std::string_view host);

    // Sends METHOD /v1.41<path><query>; a status >= 400 becomes an error
    // "Error response from daemon: <message>" whose kind follows the status
    // (404 not_found, 409 conflict, 400 invalid_argument).
    Result<http::ClientResponse> call(std::string_view method, std::string_view path,
                                           const QueryParams& query = {}, std::string_view body = {},
                                           const http::HeaderList& headers = {});
    // Same with `body` streamed as a chunked request body (load, import).
    Result<http::ClientResponse> call_streamed(std::string_view method, std::string_view path,
                                                    const QueryParams& query, ByteReader& body,
                                                    const http::HeaderList& headers);
    // A raw stream (attach, exec start): the socket after the daemon's 101/200.
    // Errors read as call()'s ("Error response from daemon: No such container: x").
    Result<http::HijackedStream> hijack(std::string_view method, std::string_view path,
                                        const QueryParams& query, std::string_view body = {});
    // POST with a JSON body and the JSON answer parsed (create, exec).
    Result<Json> post_json(std::string_view path, const Json& body, const QueryParams& query = {});
    // GET and parse the JSON answer.
    Result<Json> get_json(std::string_view path, const QueryParams& query = {});
    // Any method, JSON answer parsed (an empty body is null).
    Result<Json> call_json(std::string_view method, std::string_view path, const QueryParams& query = {});

  private:
    explicit ApiClient(http::Client client) : client_(std::move(client)) {}
    Result<http::ClientResponse> checked(Result<http::ClientResponse> resp);

    http::Client client_;
};

}  // namespace berth::cli

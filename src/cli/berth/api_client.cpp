#include "cli/berth/api_client.hpp"

#include "base/log.hpp"

#include "base/strings.hpp"

namespace berth::cli {
namespace {

std::string versioned(std::string_view path, const QueryParams& query) {
    return "/v" + std::string(kApiVersion) + std::string(path) + encode_query(query);
}

ErrorKind kind_of_status(int status) {
    switch (status) {
        case 400: return ErrorKind::invalid_argument;
        case 404: return ErrorKind::not_found;
        case 409: return ErrorKind::conflict;
        default: return ErrorKind::internal;
    }
}

}  // namespace

std::string url_escape(std::string_view text) { return percent_encode(text); }

std::string path_escape(std::string_view text) { return percent_encode(text, "/:@"); }

std::string encode_query(const QueryParams& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        out += out.empty() ? '?' : '&';
        out += url_escape(name) + "=" + url_escape(value);
    }
    return out;
}

Result<std::string> socket_path_of_host(std::string_view host) {
    if (host.starts_with("unix://")) host.remove_prefix(7);
    if (host.starts_with("/")) return std::string(host);
    return fail_as(ErrorKind::invalid_argument,
                   "unsupported host \"" + std::string(host) + "\": berth connects over a unix socket (unix:///path)");
}

std::string error_message_of(std::string_view body) {
    auto json = parse_json(body, "error response");
    if (json && json->is_object() && json->contains("message") && (*json)["message"].is_string())
        return (*json)["message"].get<std::string>();
    return std::string(trim(body));
}

Result<ApiClient> ApiClient::connect(std::string_view host) {
    std::string path = BERTH_TRY(socket_path_of_host(host));
    return ApiClient(BERTH_TRY(http::Client::connect_unix(path)));
}

Result<http::ClientResponse> ApiClient::checked(Result<http::ClientResponse> resp) {
    if (!resp || resp->status < 400) return resp;
    std::string body = resp->read_body(1 << 20).value_or("");
    return fail_as(kind_of_status(resp->status), "Error response from daemon: " + error_message_of(body));
}

Result<http::ClientResponse> ApiClient::call(std::string_view method, std::string_view path,
                                                  const QueryParams& query, std::string_view body,
                                                  const http::HeaderList& headers) {
    http::HeaderList all = headers;
    if (!body.empty()) all.emplace_back("Content-Type", "application/json");
    auto target = versioned(path, query);
    log::debug(std::string(method) + " " + target);
    return checked(client_.request(method, target, all, body));
}

Result<http::ClientResponse> ApiClient::call_streamed(std::string_view method, std::string_view path,
                                                           const QueryParams& query, ByteReader& body,
                                                           const http::HeaderList& headers) {
    auto target = versioned(path, query);
    log::debug(std::string(method) + " " + target + " (streamed body)");
    return checked(client_.request_streamed(method, target, headers, body));
}

Result<Json> ApiClient::call_json(std::string_view method, std::string_view path, const QueryParams& query) {
    auto resp = BERTH_TRY(call(method, path, query));
    std::string body = BERTH_TRY(resp.read_body());
    if (trim(body).empty()) return Json();
    return parse_json(body, "daemon's answer to " + std::string(path));
}

Result<http::HijackedStream> ApiClient::hijack(std::string_view method, std::string_view path,
                                               const QueryParams& query, std::string_view body) {
    auto target = versioned(path, query);
    log::debug(std::string(method) + " " + target + " (hijacked)");
    http::HeaderList headers;
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto stream = client_.hijack(method, target, headers, body);
    if (stream) return stream;
    // http::Client words it "METHOD target: daemon answered 404: message".
    const std::string& text = stream.error().message;
    static constexpr std::string_view kMarker = ": daemon answered ";
    size_t at = text.find(kMarker);
    if (at == std::string::npos) return stream;
    std::string_view rest = std::string_view(text).substr(at + kMarker.size());
    int status = parse_int(rest.substr(0, 3)).value_or(500);
    return fail_as(kind_of_status(status),
                   "Error response from daemon: " +
                       std::string(rest.substr(std::min<size_t>(5, rest.size()))));
}

Result<Json> ApiClient::post_json(std::string_view path, const Json& body,
                                  const QueryParams& query) {
    auto resp = BERTH_TRY(call("POST", path, query, body.dump()));
    std::string text = BERTH_TRY(resp.read_body());
    if (trim(text).empty()) return Json();
    return parse_json(text, "daemon's answer to " + std::string(path));
}

Result<Json> ApiClient::get_json(std::string_view path, const QueryParams& query) {
    return call_json("GET", path, query);
}

}  // namespace berth::cli

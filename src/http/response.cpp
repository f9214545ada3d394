#include "http/response.hpp"

#include <poll.h>


#include "http/chunked.hpp"
#include "http/versions.hpp"

namespace berth::http {

std::string_view status_reason(int status) {
    switch (status) {
        case 100: return "Continue";
        case 101: return "Switching Protocols";
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        default: return "";
    }
}

namespace {
bool has_no_body(int status) { return status / 100 == 1 || status == 204 || status == 304; }

// The fields Docker puts on every response; clients read Api-Version to negotiate.
std::string standard_fields() {
    return "Api-Version: " + std::string(kApiVersion) +
           "\r\nDocker-Experimental: false\r\nOstype: linux\r\n"
           "Server: berth/" BERTH_VERSION " (linux)\r\n";
}

std::string extra_fields(const HeaderList& extra) {
    std::string out;
    for (const auto& [name, value] : extra) out += name + ": " + value + "\r\n";
    return out;
}
}  // namespace

ResponseWriter::ResponseWriter(Connection& conn, const Request& req)
    : conn_(conn),
      head_only_(req.method == "HEAD"),
      keep_alive_(req.keep_alive()),
      upgrade_wanted_(req.wants_upgrade()),
      chunks_raw_(req.http_minor == 0) {}

Result<void> ResponseWriter::write_raw(std::string_view data) {
    auto r = conn_.out.write(data);
    if (!r) state_ = State::failed;
    return r;
}

Result<void> ResponseWriter::write_head(int status, std::string_view content_type,
                                        const HeaderList& extra, std::string_view framing_field) {
    if (state_ != State::fresh) return fail("response already sent");
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(status_reason(status)) + "\r\n";
    head += standard_fields();
    if (!content_type.empty()) head += "Content-Type: " + std::string(content_type) + "\r\n";
    head += framing_field;
    if (!keep_alive_) head += "Connection: close\r\n";
    head += extra_fields(extra);
    head += "\r\n";
    return write_raw(head);
}

Result<void> ResponseWriter::send(int status, std::string_view content_type, std::string_view body,
                                  const HeaderList& extra) {
    std::string length;
    if (!has_no_body(status)) length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
    else body = {};
    BERTH_TRYV(write_head(status, content_type, extra, length));
    if (!head_only_ && !body.empty()) BERTH_TRYV(write_raw(body));
    state_ = State::done;
    return {};
}

Result<void> ResponseWriter::send_json(int status, const Json& body) {
    // Invalid UTF-8 in a string (a file name, say) is replaced rather than thrown.
    return send(status, "application/json",
                body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

Result<void> ResponseWriter::send_error(int status, std::string_view message) {
    return send_json(status, Json{{"message", message}});
}

Result<void> ResponseWriter::start_chunked(int status, std::string_view content_type,
                                           const HeaderList& extra) {
    // An HTTP/1.0 body without a length ends when the connection closes.
    if (chunks_raw_) keep_alive_ = false;
    BERTH_TRYV(write_head(status, content_type, extra,
                          chunks_raw_ ? "" : "Transfer-Encoding: chunked\r\n"));
    state_ = State::streaming;
    return {};
}

Result<void> ResponseWriter::write_chunk(std::string_view data) {
    if (state_ != State::streaming) return fail("write_chunk: no chunked response in progress");
    if (head_only_) return {};
    auto r = chunks_raw_ ? conn_.out.write(data) : http::write_chunk(conn_.out, data);
    if (!r) state_ = State::failed;
    return r;
}

bool ResponseWriter::client_gone() const {
    pollfd p{conn_.fd.get(), POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

Result<void> ResponseWriter::end_chunked() {
    if (state_ != State::streaming) return fail("end_chunked: no chunked response in progress");
    if (!head_only_ && !chunks_raw_) BERTH_TRYV(write_raw("0\r\n\r\n"));
    state_ = State::done;
    return {};
}

Result<HijackedStream> ResponseWriter::hijack(const HeaderList& extra) {
    if (state_ != State::fresh) return fail("hijack: a response was already sent");
    // Docker's exact status lines: clients match "101 UPGRADED" only by code.
    std::string head = upgrade_wanted_ ? "HTTP/1.1 101 UPGRADED\r\n" : "HTTP/1.1 200 OK\r\n";
    head += "Content-Type: " + std::string(kRawStreamType) + "\r\n";
    if (upgrade_wanted_) head += "Connection: Upgrade\r\nUpgrade: tcp\r\n";
    head += standard_fields() + extra_fields(extra) + "\r\n";
    BERTH_TRYV(write_raw(head));
    if (conn_.on_hijack) conn_.on_hijack(conn_.fd.get());
    state_ = State::hijacked;
    return HijackedStream{UniqueFd(conn_.fd.release()), conn_.in.take_buffered()};
}

}  // namespace berth::http


#include "registry/http_client.hpp"

#include <chrono>
#include <thread>

#include "http/body.hpp"
#include "http/head.hpp"
#include "base/json.hpp"
#include "base/strings.hpp"

namespace berth::registry {

namespace {

constexpr std::size_t kMaxHead = 1 << 20;

std::string request_head(const HttpRequest& req, bool absolute_form) {
    std::string head =
        req.method + " " + (absolute_form ? req.url.str() : req.url.target) + " HTTP/1.1\r\n";
    std::string host = req.url.origin().substr(req.url.tls ? 8 : 7);
    head += "Host: " + host + "\r\n";
    head += "User-Agent: berth/" BERTH_VERSION "\r\n";
    bool has_length = false;
    for (const auto& [name, value] : req.headers) {
        head += name + ": " + value + "\r\n";
        if (http::iequals(name, "Content-Length")) has_length = true;
    }
    if (!has_length) {
        if (req.stream) head += "Content-Length: " + std::to_string(req.stream_length) + "\r\n";
        else if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
            head += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    }
    head += "Connection: close\r\n\r\n";
    return head;
}

Result<void> send_stream(ByteReader& in, std::uint64_t length, ByteWriter& out) {
    std::string buf(1 << 16, '\0');
    std::uint64_t sent = 0;
    for (;;) {
        std::size_t n = BERTH_TRY(in.read(buf.data(), buf.size()));
        if (n == 0) break;
        sent += n;
        if (sent > length) return fail("request body is longer than its announced length");
        BERTH_TRYV(out.write(std::string_view(buf.data(), n)));
    }
    if (sent != length) return fail("request body is shorter than its announced length");
    return {};
}

Result<int> parse_status(const std::string& line) {
    if (!line.starts_with("HTTP/1.") || line.size() < 12)
        return fail("registry sent a malformed status line \"" + line.substr(0, 60) + "\"");
    auto code = parse_int(std::string_view(line).substr(9, 3));
    if (!code || *code < 100 || *code > 999)
        return fail("registry sent a malformed status line \"" + line.substr(0, 60) + "\"");
    return static_cast<int>(*code);
}

// A response body whose failures are network failures (the connection broke or
// closed early), so callers know a retry may help.
class NetworkBody final : public ByteReader {
  public:
    explicit NetworkBody(std::unique_ptr<ByteReader> inner) : inner_(std::move(inner)) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        auto n = inner_->read(buf, size);
        if (!n && n.error().kind == ErrorKind::internal) n.error().kind = ErrorKind::unavailable;
        return n;
    }

  private:
    std::unique_ptr<ByteReader> inner_;
};

// A body already read whole.
class OwnedStringReader final : public ByteReader {
  public:
    explicit OwnedStringReader(std::string data) : data_(std::move(data)), reader_(data_) {}
    Result<std::size_t> read(char* buf, std::size_t size) override { return reader_.read(buf, size); }

  private:
    std::string data_;
    StringReader reader_;
};

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Result<HttpResponse> HttpClient::send_once(const HttpRequest& req) {
    auto conn = BERTH_TRY(connect(req.url, opts_.transport));
    BERTH_TRYV(conn->out().write(request_head(req, conn->via_http_proxy())));
    if (req.stream) BERTH_TRYV(send_stream(*req.stream, req.stream_length, conn->out()));
    else if (!req.body.empty()) BERTH_TRYV(conn->out().write(req.body));
    for (;;) {
        auto head = http::read_head(conn->in(), kMaxHead);
        if (!head) {
            // A connection that broke is worth retrying; a refusal the transport
            // recognised (a TLS client certificate alert) keeps its kind.
            ErrorKind kind = head.error().cause == ErrorKind::internal ? ErrorKind::unavailable
                                                                       : head.error().cause;
            return std::unexpected(Error{
                0,
                "read response from " + req.url.origin() + ": " +
                    (head.error().message.empty() ? "connection closed" : head.error().message),
                kind});
        }
        int status = BERTH_TRY(parse_status(head->start_line));
        if (status / 100 == 1) continue;  // 100 Continue and friends
        HttpResponse resp;
        resp.status = status;
        resp.headers = std::move(head->headers);
        resp.url = req.url;
        auto framing = BERTH_TRY(http::response_framing(resp.headers, status, req.method == "HEAD"));
        resp.body_ = std::make_unique<NetworkBody>(http::make_body_reader(framing, conn->in()));
        resp.conn_ = std::move(conn);
        if (req.buffer_limit > 0 && !is_redirect(status)) {
            auto body = BERTH_TRY(read_all(*resp.body_, req.buffer_limit));
            resp.body_ = std::make_unique<OwnedStringReader>(std::move(body));
            resp.conn_.reset();
        }
        return resp;
    }
}

Result<HttpResponse> HttpClient::send(HttpRequest req) {
    bool idempotent = (req.method == "GET" || req.method == "HEAD") && !req.stream;
    int backoff = opts_.backoff_ms;
    for (int redirects = 0, attempt = 0;;) {
        auto resp = send_once(req);
        bool transient = resp ? resp->status >= 500 : resp.error().kind == ErrorKind::unavailable;
        if (transient && idempotent && attempt < opts_.retries) {
            ++attempt;
            std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
            backoff *= 2;
            continue;
        }
        if (!resp || !is_redirect(resp->status) || req.stream) return resp;
        auto location = resp->headers.get("Location");
        if (!location) return resp;
        if (++redirects > opts_.max_redirects)
            return fail(req.method + " " + req.url.str() + ": too many redirects");
        auto next = BERTH_TRY(resolve_location(req.url, *location));
        if (next.host != req.url.host || next.port != req.url.port)
            std::erase_if(req.headers, [](const auto& h) { return http::iequals(h.first, "Authorization"); });
        if (resp->status == 303) req.method = req.method == "HEAD" ? "HEAD" : "GET";
        req.url = std::move(next);
    }
}

std::string registry_error_text(HttpResponse& resp) {
    std::string status = std::to_string(resp.status);
    auto body = resp.read_body(1 << 20);
    if (body) {
        auto json = parse_json(*body, "registry error");
        if (json && json->is_object() && json->contains("errors") && (*json)["errors"].is_array() &&
            !(*json)["errors"].empty()) {
            std::vector<std::string> parts;
            for (const auto& e : (*json)["errors"]) {
                if (!e.is_object()) continue;
                std::string code = e.value("code", "");
                std::string message = e.value("message", "");
                for (auto& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                std::replace(code.begin(), code.end(), '_', ' ');
                parts.push_back(message.empty() ? code : code.empty() ? message : code + ": " + message);
            }
            if (!parts.empty()) return join(parts, "; ");
        }
    }
    return "registry answered " + status;
}

}  // namespace berth::registry

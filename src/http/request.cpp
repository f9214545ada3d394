#include "http/request.hpp"

#include "http/body.hpp"
#include "http/head.hpp"
#include "base/strings.hpp"

namespace berth::http {

// The body reader plus the connection state around it: the pending 100 Continue
// and whether the end was reached.
class RequestBody final : public ByteReader {
  public:
    RequestBody(std::unique_ptr<ByteReader> inner, SocketWriter* send_continue_to)
        : inner_(std::move(inner)), continue_to_(send_continue_to) {}

    Result<std::size_t> read(char* buf, std::size_t size) override {
        if (continue_to_) {
            // Go's server answers lazily too: only a handler that wants the body asks.
            auto sent = continue_to_->write("HTTP/1.1 100 Continue\r\n\r\n");
            continue_to_ = nullptr;
            if (!sent) {
                broken_ = true;
                return std::unexpected(std::move(sent.error()));
            }
        }
        auto n = inner_->read(buf, size);
        if (!n) broken_ = true;
        else if (*n == 0 && size > 0) ended_ = true;
        return n;
    }

    bool finish(std::size_t limit) {
        if (ended_) return true;
        if (continue_to_ || broken_) return false;
        char buf[16384];
        for (std::size_t total = 0; total <= limit;) {
            auto n = read(buf, sizeof buf);
            if (!n) return false;
            if (*n == 0) return true;
            total += *n;
        }
        return false;
    }

  private:
    std::unique_ptr<ByteReader> inner_;
    SocketWriter* continue_to_;
    bool ended_ = false;
    bool broken_ = false;
};

Request::Request() = default;
Request::Request(Request&&) noexcept = default;
Request& Request::operator=(Request&&) noexcept = default;
Request::~Request() = default;

std::string Request::query_value(std::string_view name) const {
    auto it = query.find(std::string(name));
    return it == query.end() ? std::string() : it->second;
}

Result<long long> Request::query_int(std::string_view name, long long fallback) const {
    std::string v = query_value(name);
    if (v.empty()) return fallback;
    auto n = parse_int(v);
    if (!n)
        return fail("query parameter \"" + std::string(name) + "\": \"" + v + "\" is not an integer");
    return *n;
}

Result<Filters> Request::filters() const { return parse_filters(query_value("filters")); }

ByteReader& Request::body() {
    // A Request built by hand (a test, an internal call) has an empty body.
    if (!body_) body_ = std::make_unique<RequestBody>(std::make_unique<StringReader>(""), nullptr);
    return *body_;
}

bool Request::keep_alive() const {
    return http_minor >= 1 && !headers.has_token("Connection", "close");
}

bool Request::wants_upgrade() const {
    return headers.has_token("Connection", "upgrade") && headers.has_token("Upgrade", "tcp");
}

bool Request::finish_body(std::size_t limit) { return !body_ || body_->finish(limit); }

namespace {

std::unexpected<RequestError> bad_request(std::string message) {
    return std::unexpected(RequestError{400, std::move(message)});
}

// "GET /path?q HTTP/1.1" (RFC 9112 §3), origin-form targets only: that is what
// every Docker client sends over the socket.
std::expected<void, RequestError> parse_request_line(const std::string& line, Request& req) {
    auto parts = split(line, ' ');
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty())
        return bad_request("malformed request line \"" + line.substr(0, 80) + "\"");
    if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0")
        return bad_request("unsupported protocol \"" + parts[2].substr(0, 20) + "\"");
    if (parts[1].front() != '/')
        return bad_request("request target \"" + parts[1].substr(0, 80) + "\" is not a path");
    req.method = std::move(parts[0]);
    req.target = std::move(parts[1]);
    req.http_minor = parts[2].back() - '0';
    auto qmark = req.target.find('?');
    auto path = percent_decode(std::string_view(req.target).substr(0, qmark), false);
    if (!path) return bad_request("invalid escape in path \"" + req.target.substr(0, 80) + "\"");
    req.path = std::move(*path);
    if (qmark != std::string::npos) {
        auto query = parse_query(std::string_view(req.target).substr(qmark + 1));
        if (!query) return bad_request(query.error().message);
        req.query = std::move(*query);
    }
    return {};
}

}  // namespace

std::expected<Request, RequestError> read_request(SocketReader& in, SocketWriter& out) {
    auto head = read_head(in, kMaxRequestHead);
    if (!head) {
        switch (head.error().kind) {
            case HeadError::Kind::too_large:
                return std::unexpected(RequestError{431, head.error().message});
            case HeadError::Kind::malformed: return bad_request(head.error().message);
            case HeadError::Kind::closed:
            case HeadError::Kind::io: break;
        }
        return std::unexpected(RequestError{0, head.error().message});
    }
    Request req;
    if (auto r = parse_request_line(head->start_line, req); !r) return std::unexpected(r.error());
    req.headers = std::move(head->headers);
    auto framing = request_framing(req.headers);
    if (!framing) return bad_request(framing.error().message);
    bool has_body = framing->kind == BodyFraming::Kind::chunked ||
                    (framing->kind == BodyFraming::Kind::length && framing->length > 0);
    bool expects_continue =
        has_body && req.http_minor >= 1 && req.headers.has_token("Expect", "100-continue");
    req.body_ = std::make_unique<RequestBody>(make_body_reader(*framing, in),
                                              expects_continue ? &out : nullptr);
    return req;
}

}  // namespace berth::http

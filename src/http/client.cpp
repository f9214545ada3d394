#include "http/client.hpp"

#include <cerrno>
#include <vector>

#include "http/body.hpp"
#include "http/chunked.hpp"
#include "http/head.hpp"
#include "http/socket_io.hpp"
#include "base/json.hpp"
#include "base/strings.hpp"
#include "base/unix_socket.hpp"

namespace berth::http {

// A response head is small; anything near this is not a Docker API server.
constexpr std::size_t kMaxResponseHead = 1 << 20;

class ClientConnection {
  public:
    explicit ClientConnection(UniqueFd socket) : fd(std::move(socket)), in(fd.get()), out(fd.get()) {}
    UniqueFd fd;
    SocketReader in;
    SocketWriter out;
    bool idle = true;  // no response is being read: a request may be sent
};

namespace {

// The response body, which marks the connection idle again once read to its end.
class TrackedBody final : public ByteReader {
  public:
    TrackedBody(std::unique_ptr<ByteReader> inner, ClientConnection& conn, bool keep_alive)
        : inner_(std::move(inner)), conn_(conn), keep_alive_(keep_alive) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        std::size_t n = BERTH_TRY(inner_->read(buf, size));
        if (n == 0 && size > 0 && keep_alive_) conn_.idle = true;
        return n;
    }

  private:
    std::unique_ptr<ByteReader> inner_;
    ClientConnection& conn_;
    bool keep_alive_;
};

Result<std::unique_ptr<ClientConnection>> open_connection(const std::string& path) {
    auto fd = connect_unix(path);
    if (!fd) {
        int err = fd.error().sys_errno;
        std::string msg =
            err == EACCES
                ? "permission denied while trying to connect to the berth daemon socket at unix://" + path
                : "Cannot connect to the berth daemon at unix://" + path + ". Is the berth daemon running?";
        return std::unexpected(Error{err, std::move(msg)});
    }
    return std::make_unique<ClientConnection>(std::move(*fd));
}

// Sends `body` chunked. A failure to read it (the caller's file) is reported
// apart from a failure to write the socket: after the former the daemon still
// waits for the rest, so no answer may be awaited.
Result<void> send_chunked_body(ByteReader& body, ByteWriter& socket, bool& source_failed) {
    ChunkedWriter chunked(socket);
    std::vector<char> buf(1 << 16);
    for (;;) {
        auto n = body.read(buf.data(), buf.size());
        if (!n) {
            source_failed = true;
            return std::unexpected(std::move(n.error()).context("read the request body"));
        }
        if (*n == 0) return chunked.finish();
        BERTH_TRYV(chunked.write(std::string_view(buf.data(), *n)));
    }
}

std::string request_head(std::string_view method, std::string_view target,
                         const HeaderList& headers, std::string_view framing) {
    std::string head = std::string(method) + " " + std::string(target) +
                       " HTTP/1.1\r\nHost: berth\r\nUser-Agent: berth-cli/" BERTH_VERSION "\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    head += framing;
    head += "\r\n";
    return head;
}

// "HTTP/1.1 200 OK" into the response's status and reason.
Result<void> parse_status_line(const std::string& line, ClientResponse& resp) {
    if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ')
        return fail("daemon sent a malformed status line \"" + line.substr(0, 60) + "\"");
    auto code = parse_int(std::string_view(line).substr(9, 3));
    if (!code || *code < 100 || *code > 999)
        return fail("daemon sent a malformed status line \"" + line.substr(0, 60) + "\"");
    resp.status = static_cast<int>(*code);
    resp.reason = line.size() > 13 ? line.substr(13) : "";
    return {};
}

// Reads heads until a final one: 1xx interim answers (100 Continue) are skipped,
// 101 is final (the stream switches protocols).
std::expected<ClientResponse, HeadError> read_response_head(SocketReader& in) {
    for (;;) {
        auto head = read_head(in, kMaxResponseHead);
        if (!head) return std::unexpected(head.error());
        ClientResponse resp;
        if (auto r = parse_status_line(head->start_line, resp); !r)
            return std::unexpected(HeadError{HeadError::Kind::malformed, r.error().message});
        if (resp.status / 100 == 1 && resp.status != 101) continue;
        resp.headers = std::move(head->headers);
        return resp;
    }
}

// Writes the request: head, then the whole body or the stream as chunks.
Result<void> send_request(ClientConnection& c, std::string_view method, std::string_view target,
                          const HeaderList& headers, std::string_view body, ByteReader* stream,
                          bool& source_failed) {
    bool has_length = !body.empty() || method == "POST" || method == "PUT";
    std::string framing = stream       ? "Transfer-Encoding: chunked\r\n"
                          : has_length ? "Content-Length: " + std::to_string(body.size()) + "\r\n"
                                       : "";
    BERTH_TRYV(c.out.write(request_head(method, target, headers, framing)));
    if (!body.empty()) BERTH_TRYV(c.out.write(body));
    if (stream) BERTH_TRYV(send_chunked_body(*stream, c.out, source_failed));
    return {};
}

// Gives the response its body reader; the connection is reusable once that is read.
Result<void> attach_body(ClientResponse& resp, ClientConnection& c, bool head_request,
                         bool request_sent) {
    auto framing = response_framing(resp.headers, resp.status, head_request);
    if (!framing) return std::unexpected(std::move(framing.error()).context("daemon's response"));
    bool keep_alive = request_sent && framing->kind != BodyFraming::Kind::until_close &&
                      !resp.headers.has_token("Connection", "close");
    resp.body_ = std::make_unique<TrackedBody>(make_body_reader(*framing, c.in), c, keep_alive);
    if (framing->kind == BodyFraming::Kind::none) c.idle = keep_alive;
    return {};
}

}  // namespace

Client::Client(std::string path, std::unique_ptr<ClientConnection> conn)
    : path_(std::move(path)), conn_(std::move(conn)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::connect_unix(const std::string& path) {
    auto conn = BERTH_TRY(open_connection(path));
    return Client(path, std::move(conn));
}

Result<void> Client::ensure_connected() {
    // An idle connection with something to read has been closed by the daemon
    // (its idle timeout): replace it now rather than lose a request to it.
    bool usable = conn_ && conn_->idle;
    if (usable) {
        auto readable = conn_->in.wait_readable(0);
        usable = readable && !*readable;
    }
    if (!usable) conn_ = BERTH_TRY(open_connection(path_));
    return {};
}

Result<ClientResponse> Client::exchange(std::string_view method, std::string_view target,
                                        const HeaderList& headers, std::string_view body,
                                        ByteReader* stream) {
    // A kept-alive connection may still be closed by the daemon between our check
    // and our request; an idempotent request (RFC 9110 §9.2.2) is then sent once
    // more on a fresh connection, as Go's client does.
    bool idempotent = method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
    for (int attempt = 0;; ++attempt) {
        bool may_retry = conn_ && conn_->idle && attempt == 0 && idempotent && !stream;
        BERTH_TRYV(ensure_connected());
        ClientConnection& c = *conn_;
        c.idle = false;
        bool source_failed = false;
        auto sent = send_request(c, method, target, headers, body, stream, source_failed);
        if (source_failed) {
            conn_.reset();  // half a body went out: the connection is unusable
            return std::unexpected(std::move(sent.error()));
        }
        // A failed send still reads an answer: the daemon may have refused the
        // request (400, 404) and closed before taking the body.
        auto resp = read_response_head(c.in);
        if (may_retry && (!sent || (!resp && resp.error().kind == HeadError::Kind::closed))) {
            conn_.reset();
            continue;
        }
        if (!resp && !sent)
            return std::unexpected(std::move(sent.error()).context("send request to the daemon"));
        if (!resp) return fail("read the daemon's response: " + resp.error().message);
        BERTH_TRYV(attach_body(*resp, c, method == "HEAD", sent.has_value()));
        return std::move(*resp);
    }
}

Result<ClientResponse> Client::request(std::string_view method, std::string_view target,
                                       const HeaderList& headers, std::string_view body) {
    return exchange(method, target, headers, body, nullptr);
}

Result<ClientResponse> Client::request_streamed(std::string_view method, std::string_view target,
                                                const HeaderList& headers, ByteReader& body) {
    return exchange(method, target, headers, {}, &body);
}

Result<HijackedStream> Client::hijack(std::string_view method, std::string_view target,
                                      const HeaderList& headers, std::string_view body) {
    HeaderList with_upgrade = headers;
    with_upgrade.emplace_back("Connection", "Upgrade");
    with_upgrade.emplace_back("Upgrade", "tcp");
    auto resp = BERTH_TRY(exchange(method, target, with_upgrade, body, nullptr));
    if (resp.status != 101 && resp.status != 200) {
        auto text = resp.read_body(1 << 20).value_or("");
        auto json = parse_json(text, "error response");
        std::string message = json && json->is_object() && json->contains("message") &&
                                      (*json)["message"].is_string()
                                  ? (*json)["message"].get<std::string>()
                                  : std::string(trim(text));
        return fail(std::string(method) + " " + std::string(target) + ": daemon answered " +
                    std::to_string(resp.status) + ": " + message);
    }
    // The socket leaves the Client; whatever followed the head is the stream's start.
    auto conn = std::move(conn_);
    return HijackedStream{std::move(conn->fd), conn->in.take_buffered()};
}

}  // namespace berth::http

#include "registry/transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "registry/proxy.hpp"

namespace berth::registry {

namespace {

std::unexpected<Error> unavailable(std::string message, int err = 0) {
    return std::unexpected(Error{err, std::move(message), ErrorKind::unavailable});
}

std::string ssl_error_text() {
    unsigned long e = ERR_get_error();
    if (e == 0) return "unknown TLS error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

// Whether the pending TLS error is the server's alert about our certificate
// (RFC 8446 §4.4.2.4: "certificate_required" when none was sent; TLS 1.2 servers
// say "bad_certificate"). With TLS 1.3 it arrives on the first read, after the
// handshake. Not a network fault: retrying cannot help.
bool refused_client_certificate() {
    int reason = ERR_GET_REASON(ERR_peek_error());
    return reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
           reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
           reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA;
}

std::string client_certificate_refusal() {
    return "the registry refused the client certificate, or wants one (certs.d: "
           "<host:port>/client.cert and "
           "client.key): " +
           ssl_error_text();
}

void set_io_timeout(int fd, int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A non-blocking connect bounded by `timeout_ms`, then back to blocking.
Result<void> connect_with_timeout(int fd, const sockaddr* addr, socklen_t len, int timeout_ms) {
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (::connect(fd, addr, len) != 0) {
        if (errno != EINPROGRESS) return unavailable(std::strerror(errno), errno);
        pollfd p{fd, POLLOUT, 0};
        int n;
        do n = ::poll(&p, 1, timeout_ms);
        while (n < 0 && errno == EINTR);
        if (n == 0) return unavailable("connection timed out", ETIMEDOUT);
        int err = 0;
        socklen_t elen = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
        if (err != 0) return unavailable(std::strerror(err), err);
    }
    ::fcntl(fd, F_SETFL, flags);
    return {};
}

Result<UniqueFd> dial(const Url& url, const TransportOptions& opts) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    addrinfo* res = nullptr;
    std::string port = std::to_string(url.port);
    int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0)
        return unavailable("dial " + url.host + ": lookup failed: " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
    std::string last = "no addresses";
    int last_errno = 0;
    for (auto* ai = res; ai; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (!fd) continue;
        auto ok = connect_with_timeout(fd.get(), ai->ai_addr, ai->ai_addrlen, opts.connect_timeout_ms);
        if (!ok) {
            last = ok.error().message;
            last_errno = ok.error().sys_errno;
            continue;
        }
        int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_io_timeout(fd.get(), opts.io_timeout_ms);
        return fd;
    }
    return unavailable("dial tcp " + url.host + ":" + port + ": " + last, last_errno);
}

// Names a failed socket read or write; a timeout says so in words.
std::unexpected<Error> io_error(std::string_view what) {
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK)
        return unavailable(std::string(what) + ": timed out waiting for the registry", ETIMEDOUT);
    return unavailable(std::string(what) + ": " + std::strerror(err), err);
}

class PlainConnection final : public Connection {
  public:
    PlainConnection(UniqueFd fd, bool via_proxy)
        : fd_(std::move(fd)),
          via_proxy_(via_proxy),
          reader_(*this),
          in_(fd_.get(), reader_),
          out_(*this) {}
    http::SocketReader& in() override { return in_; }
    ByteWriter& out() override { return out_; }
    bool via_http_proxy() const override { return via_proxy_; }

  private:
    struct Reader final : ByteReader {
        explicit Reader(PlainConnection& c) : c_(c) {}
        Result<std::size_t> read(char* buf, std::size_t size) override {
            for (;;) {
                ssize_t n = ::read(c_.fd_.get(), buf, size);
                if (n >= 0) return static_cast<std::size_t>(n);
                if (errno != EINTR) return io_error("read from registry");
            }
        }
        PlainConnection& c_;
    };
    struct Writer final : ByteWriter {
        explicit Writer(PlainConnection& c) : c_(c) {}
        Result<void> write(std::string_view data) override {
            while (!data.empty()) {
                ssize_t n = ::send(c_.fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) return io_error("write to registry");
                data.remove_prefix(static_cast<std::size_t>(n));
            }
            return {};
        }
        PlainConnection& c_;
    };

    UniqueFd fd_;
    bool via_proxy_;
    Reader reader_;
    http::SocketReader in_;
    Writer out_;
};

// Asks an HTTP proxy on `fd` for a tunnel to `url`'s host and port (RFC 9110
// §9.3.6, CONNECT). The answer's head is read a byte at a time: nothing past it
// may be consumed, the TLS handshake that follows owns the stream.
Result<void> open_tunnel(int fd, const Url& url, const Url& proxy) {
    std::string authority = url.authority();
    std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority +
                          "\r\nUser-Agent: berth/" BERTH_VERSION "\r\n\r\n";
    for (std::string_view rest = request; !rest.empty();) {
        ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("write to proxy " + proxy.origin());
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    std::string head;
    while (!head.ends_with("\r\n\r\n")) {
        if (head.size() > 65536)
            return fail("proxy " + proxy.origin() + " sent an overlong answer to CONNECT");
        char c;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("read from proxy " + proxy.origin());
        if (n == 0)
            return unavailable("proxy " + proxy.origin() + " closed the connection during CONNECT");
        head += c;
    }
    std::string status = head.substr(0, head.find("\r\n"));
    std::int64_t code = 0;
    if (status.size() >= 12 && status.starts_with("HTTP/1."))
        code = parse_int(std::string_view(status).substr(9, 3)).value_or(0);
    if (code / 100 == 2) return {};
    std::string why = "proxy " + proxy.origin() + " refused CONNECT " + authority + ": " + status;
    // A proxy that can't reach the registry (502, 503, 504) may do better later.
    if (code >= 500) return unavailable(why);
    return fail(why);
}

// Loads a client certificate chain and its key into `ctx` and checks they match.
Result<void> use_client_certificate(SSL_CTX* ctx, const std::string& cert, const std::string& key) {
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
        return fail("TLS: load client certificate " + cert + ": " + ssl_error_text());
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
        return fail("TLS: load client key " + key + ": " + ssl_error_text());
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail("TLS: client key " + key + " does not match certificate " + cert);
    return {};
}

// The process's TLS contexts: the system trust store, TLS 1.2 at least, plus a
// registry's extra CA and client certificate.
struct SslCtxFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtx = std::unique_ptr<SSL_CTX, SslCtxFree>;

Result<SSL_CTX*> tls_context(const TransportOptions& opts) {
    // OpenSSL first: its exit-time clean-up is then registered before the map's
    // destructor and so runs after it, and the contexts are freed while OpenSSL
    // still works (no leak at exit, no use after OPENSSL_cleanup).
    static const bool ssl_ready = OPENSSL_init_ssl(0, nullptr) == 1;
    static std::mutex mu;
    static std::map<std::string, SslCtx> contexts;  // by the files below
    if (!ssl_ready) return fail("TLS: OpenSSL failed to initialise: " + ssl_error_text());
    const std::string& ca_file = opts.ca_file;
    std::string key = ca_file + '\n' + opts.client_cert + '\n' + opts.client_key;
    std::lock_guard lock(mu);
    if (auto it = contexts.find(key); it != contexts.end()) return it->second.get();
    SslCtx ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return fail("TLS: " + ssl_error_text());
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    // A server closing without close_notify is an end of stream like any other;
    // HTTP framing (Content-Length, the last chunk) says whether a body is whole.
    SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_default_verify_paths(ctx.get());
    if (!ca_file.empty() && SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1)
        return fail("TLS: load CA file " + ca_file + ": " + ssl_error_text());
    if (!opts.client_cert.empty())
        BERTH_TRYV(use_client_certificate(ctx.get(), opts.client_cert, opts.client_key));
    return (contexts[key] = std::move(ctx)).get();
}

class TlsConnection final : public Connection {
  public:
    TlsConnection(UniqueFd fd, SSL* ssl)
        : fd_(std::move(fd)), ssl_(ssl), reader_(*this), in_(fd_.get(), reader_), out_(*this) {}
    ~TlsConnection() override { SSL_free(ssl_); }
    http::SocketReader& in() override { return in_; }
    ByteWriter& out() override { return out_; }

  private:
    struct Reader final : ByteReader {
        explicit Reader(TlsConnection& c) : c_(c) {}
        Result<std::size_t> read(char* buf, std::size_t size) override {
            int want = static_cast<int>(std::min<std::size_t>(size, 1 << 30));
            int n = SSL_read(c_.ssl_, buf, want);
            if (n > 0) return static_cast<std::size_t>(n);
            int e = SSL_get_error(c_.ssl_, n);
            if (e == SSL_ERROR_ZERO_RETURN) return 0;
            if (e == SSL_ERROR_SYSCALL) return io_error("read from registry");
            if (refused_client_certificate())
                return fail_as(ErrorKind::unauthorized,
                               "read from registry: TLS: " + client_certificate_refusal());
            return unavailable("read from registry: TLS: " + ssl_error_text());
        }
        TlsConnection& c_;
    };
    struct Writer final : ByteWriter {
        explicit Writer(TlsConnection& c) : c_(c) {}
        Result<void> write(std::string_view data) override {
            while (!data.empty()) {
                int want = static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30));
                int n = SSL_write(c_.ssl_, data.data(), want);
                if (n <= 0) {
                    if (SSL_get_error(c_.ssl_, n) == SSL_ERROR_SYSCALL) return io_error("write to registry");
                    return unavailable("write to registry: TLS: " + ssl_error_text());
                }
                data.remove_prefix(static_cast<std::size_t>(n));
            }
            return {};
        }
        TlsConnection& c_;
    };

    UniqueFd fd_;
    SSL* ssl_;
    Reader reader_;
    http::SocketReader in_;
    Writer out_;
};

Result<std::unique_ptr<Connection>> tls_handshake(UniqueFd fd, const Url& url, const TransportOptions& opts) {
    SSL_CTX* ctx = BERTH_TRY(tls_context(opts));
    SSL* ssl = SSL_new(ctx);
    if (!ssl) return fail("TLS: " + ssl_error_text());
    int raw_fd = fd.get();
    auto conn = std::make_unique<TlsConnection>(std::move(fd), ssl);  // owns ssl from here
    SSL_set_fd(ssl, raw_fd);
    // The certificate must name the host: an IP address in its IP SANs, a name in
    // its DNS names. SNI carries names only (RFC 6066 §3: no IP literals).
    in6_addr ip6{};
    in_addr ip4{};
    bool is_ip = ::inet_pton(AF_INET, url.host.c_str(), &ip4) == 1 || ::inet_pton(AF_INET6, url.host.c_str(), &ip6) == 1;
    if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, url.host.c_str());
        SSL_set1_host(ssl, url.host.c_str());
    }
    if (SSL_connect(ssl) != 1) {
        if (refused_client_certificate())
            return fail_as(ErrorKind::unauthorized, "TLS handshake with " + url.origin() + ": " +
                                                        client_certificate_refusal());
        long verify = SSL_get_verify_result(ssl);
        std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : ssl_error_text();
        // A certificate problem will not go away on a retry: not `unavailable`.
        if (verify != X509_V_OK)
            return fail("TLS handshake with " + url.origin() + ": certificate: " + why);
        return unavailable("TLS handshake with " + url.origin() + ": " + why);
    }
    return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace

Result<std::unique_ptr<Connection>> connect(const Url& url, const TransportOptions& opts) {
    auto proxy = BERTH_TRY(select_proxy(url, ProxyEnv::from_environment()));
    auto fd = BERTH_TRY(dial(proxy ? *proxy : url, opts));
    if (!url.tls)
        return std::unique_ptr<Connection>(
            std::make_unique<PlainConnection>(std::move(fd), proxy.has_value()));
    if (proxy) BERTH_TRYV(open_tunnel(fd.get(), url, *proxy));
    return tls_handshake(std::move(fd), url, opts);
}

}  // namespace berth::registry

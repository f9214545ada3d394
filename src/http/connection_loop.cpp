#include "http/connection_loop.hpp"

#include <sys/socket.h>
#include <time.h>

#include <exception>
#include <string>

#include "base/log.hpp"

namespace berth::http {

namespace {

// A body left unread by its handler (a 404 to an upload, say) is skipped up to
// this much to keep the connection; past it, closing is cheaper than reading.
constexpr std::size_t kDrainLimit = 256 * 1024;

// How long a connection that ends on an unread body goes on discarding it. A client
// that writes its body while it waits for the answer (Go's, so the docker CLI)
// fails its write with EPIPE if the socket closes with its data unread, and may
// report that instead of the answer it already has: `docker import -c BAD` showed
// "write: broken pipe", not the 400. Go's server waits 500 ms likewise
// (net/http rstAvoidanceDelay).
constexpr int kLingerMs = 500;

std::int64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Ends our side (the client sees the answer is complete), then reads and drops
// what the client still sends, until it stops or kLingerMs pass.
void linger_discarding(Connection& conn) {
    ::shutdown(conn.fd.get(), SHUT_WR);
    const auto deadline = monotonic_ms() + kLingerMs;
    char sink[1 << 16];
    for (auto left = kLingerMs; left > 0; left = static_cast<int>(deadline - monotonic_ms())) {
        auto ready = conn.in.wait_readable(left);
        if (!ready || !*ready) return;
        auto n = conn.in.read(sink, sizeof sink);
        if (!n || *n == 0) return;
    }
}

// Answers a request that could not be parsed, then the connection ends.
void answer_unparsable(Connection& conn, const RequestError& error) {
    Request closing;  // stands in for the request that never was
    closing.headers.add("Connection", "close");
    ResponseWriter w(conn, closing);
    (void)w.send_error(error.status, error.message);
}

// Runs the handler; false when it threw, so that a response it had begun is cut
// off rather than passed off as complete.
bool run_handler(const Router& router, Request& req, ResponseWriter& w) {
    std::string what;
    try {
        router.dispatch(req, w);
        return true;
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
        what = "unknown exception";
    }
    log::error("api: " + req.method + " " + req.path + ": handler failed: " + what);
    if (!w.answered()) (void)w.send_error(500, what);
    return false;
}

// Completes what the handler left open; whether the connection stays usable.
bool finish_response(Connection& conn, Request& req, ResponseWriter& w, bool handler_ok) {
    if (!w.answered()) {
        log::error("api: " + req.method + " " + req.path + ": handler sent no response");
        (void)w.send_error(500, "internal error: the handler for " + req.path + " sent no response");
    } else if (w.streaming() && handler_ok) {
        (void)w.end_chunked();
    }
    if (!handler_ok || !w.reusable()) return false;
    if (req.finish_body(kDrainLimit)) return true;
    linger_discarding(conn);
    return false;
}

}  // namespace

void serve_connection(Connection& conn, const Peer& peer, const Router& router,
                      int idle_timeout_ms, const std::atomic<bool>& stopping) {
    while (!stopping.load()) {
        auto ready = conn.in.wait_readable(idle_timeout_ms);
        if (!ready || !*ready) return;  // idle too long, or the socket failed
        auto req = read_request(conn.in, conn.out);
        if (!req) {
            if (req.error().status != 0) answer_unparsable(conn, req.error());
            return;
        }
        req->peer = peer;
        ResponseWriter w(conn, *req);
        bool ok = run_handler(router, *req, w);
        if (w.hijacked()) return;
        if (!finish_response(conn, *req, w, ok)) return;
    }
}

}  // namespace berth::http

#include "api/http/connection_loop.hpp"

#include <exception>
#include <string>

#include "base/log.hpp"

namespace berth::api::http {

namespace {

// A body left unread by its handler (a 404 to an upload, say) is skipped up to
// this much to keep the connection; past it, closing is cheaper than reading.
constexpr std::size_t kDrainLimit = 256 * 1024;

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
bool finish_response(Request& req, ResponseWriter& w, bool handler_ok) {
    if (!w.answered()) {
        log::error("api: " + req.method + " " + req.path + ": handler sent no response");
        (void)w.send_error(500, "internal error: the handler for " + req.path + " sent no response");
    } else if (w.streaming() && handler_ok) {
        (void)w.end_chunked();
    }
    return handler_ok && w.reusable() && req.finish_body(kDrainLimit);
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
        if (!finish_response(*req, w, ok)) return;
    }
}

}  // namespace berth::api::http

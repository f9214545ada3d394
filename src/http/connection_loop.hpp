// The life of one client connection on the daemon: requests in turn (keep-alive)
// until the client closes, idles out, breaks the protocol, or a handler hijacks it.
#pragma once

#include <atomic>

#include "http/connection.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace berth::http {

// Serves `conn` on the calling thread. A handler's exception becomes a 500 (or a
// closed connection when its response had begun); the loop never throws.
void serve_connection(Connection& conn, const Peer& peer, const Router& router,
                      int idle_timeout_ms, const std::atomic<bool>& stopping);

}  // namespace berth::http

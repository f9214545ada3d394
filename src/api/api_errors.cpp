#include "api/api_errors.hpp"

#include "base/log.hpp"

namespace berth::api {

int http_status(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_argument: return 400;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::unauthorized: return 401;
        case ErrorKind::internal: break;
    }
    return 500;
}

void send_error(http::ResponseWriter& w, const Error& e) {
    int status = http_status(e.kind);
    if (status >= 500) log::error(e.message);
    if (w.answered()) {
        log::warn("error after the response began: " + e.message);
        return;
    }
    (void)w.send_error(status, e.message);
}

}  // namespace berth::api

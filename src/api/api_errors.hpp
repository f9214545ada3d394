// How an engine error reaches an API client: the status its kind maps to and
// Docker's {"message": ...} body.
#pragma once

#include "http/response.hpp"
#include "base/result.hpp"

namespace berth::api {

int http_status(ErrorKind kind);

// Answers with the error (or, once a stream has begun, logs it: the status is sent).
void send_error(http::ResponseWriter& w, const Error& e);

}  // namespace berth::api

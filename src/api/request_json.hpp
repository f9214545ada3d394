// The JSON object a request carries (create, update, exec, commit bodies).
#pragma once

#include <string_view>

#include "base/json.hpp"
#include "base/result.hpp"
#include "http/request.hpp"

namespace berth::api {

// The body as a JSON object: an empty body or `null` is {}, anything else that is
// not an object is an invalid_argument error naming `what` (the API answers 400).
Result<Json> json_object_body(http::Request& req, std::string_view what);

}  // namespace berth::api

#include "api/request_json.hpp"

#include "base/stream.hpp"
#include "base/text.hpp"

namespace berth::api {

namespace {
// Docker's configs are small; a bigger body is not one.
constexpr std::size_t kMaxJsonBody = 16 << 20;
}  // namespace

Result<Json> json_object_body(http::Request& req, std::string_view what) {
    auto body = read_all(req.body(), kMaxJsonBody);
    if (!body) return fail_as(ErrorKind::invalid_argument, cat(what, ": ", body.error().message));
    if (body->empty()) return Json::object();
    auto json = parse_json(*body, what);
    if (!json) return fail_as(ErrorKind::invalid_argument, json.error().message);
    if (json->is_null()) return Json::object();
    if (!json->is_object()) return fail_as(ErrorKind::invalid_argument, cat(what, " must be a JSON object"));
    return *json;
}

}  // namespace berth::api

#include "base/json.hpp"

namespace berth {

Result<Json> parse_json(std::string_view text, std::string_view what) {
    // nlohmann reports positions only through its exception; it stays in here.
    try {
        return Json::parse(text);
    } catch (const Json::exception& e) {
        return fail(std::string(what) + ": invalid JSON: " + e.what());
    }
}

std::string dump_compact(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace berth

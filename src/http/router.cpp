#include "http/router.hpp"


#include "http/versions.hpp"

namespace berth::http {

namespace {

// Splits "/v1.41/containers/json" into "1.41" and "/containers/json", as
// Docker's "/v{version:[0-9.]+}" route prefix does; no prefix leaves path whole.
std::pair<std::string, std::string_view> split_version(std::string_view path) {
    if (path.size() < 3 || path.substr(0, 2) != "/v") return {"", path};
    std::size_t end = path.find_first_not_of("0123456789.", 2);
    if (end == 2 || end == std::string_view::npos || path[end] != '/') return {"", path};
    return {std::string(path.substr(2, end - 2)), path.substr(end)};
}

// The reason a version is refused (Docker's words), or "" when it is served.
std::string version_problem(const std::string& version) {
    if (version.empty()) return "";
    if (compare_versions(version, kMinApiVersion) < 0)
        return "client version " + version + " is too old. Minimum supported API version is " +
               std::string(kMinApiVersion) + ", please upgrade your client to a newer version";
    if (compare_versions(version, kApiVersion) > 0)
        return "client version " + version + " is too new. Maximum supported API version is " +
               std::string(kApiVersion);
    return "";
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler) {
    Route route{std::move(method), {}, std::move(handler)};
    while (!pattern.empty()) {
        auto open = pattern.find('{');
        auto close = pattern.find('}', open);
        if (open == std::string_view::npos || close == std::string_view::npos) {
            route.parts.push_back({Part::Kind::literal, std::string(pattern)});
            break;
        }
        if (open > 0) route.parts.push_back({Part::Kind::literal, std::string(pattern.substr(0, open))});
        std::string_view capture = pattern.substr(open + 1, close - open - 1);
        if (capture.ends_with(":.*"))
            route.parts.push_back({Part::Kind::any, std::string(capture.substr(0, capture.size() - 3))});
        else
            route.parts.push_back({Part::Kind::segment, std::string(capture)});
        pattern.remove_prefix(close + 1);
    }
    routes_.push_back(std::move(route));
}

bool Router::match(const std::vector<Part>& parts, std::size_t i, std::string_view path,
                   std::map<std::string, std::string>& params) {
    if (i == parts.size()) return path.empty();
    const Part& part = parts[i];
    if (part.kind == Part::Kind::literal)
        return path.starts_with(part.text) &&
               match(parts, i + 1, path.substr(part.text.size()), params);
    // Longest first, then shorter (a regex's greedy backtracking): {name:.*}/json
    // takes everything up to the last "/json".
    std::size_t longest = part.kind == Part::Kind::any ? path.size()
                                                       : std::min(path.find('/'), path.size());
    std::size_t shortest = part.kind == Part::Kind::any ? 0 : 1;
    for (std::size_t len = longest + 1; len-- > shortest;) {
        if (match(parts, i + 1, path.substr(len), params)) {
            params[part.text] = std::string(path.substr(0, len));
            return true;
        }
    }
    return false;
}

void Router::dispatch(Request& req, ResponseWriter& w) const {
    auto [version, path] = split_version(req.path);
    for (const auto& route : routes_) {
        std::map<std::string, std::string> params;
        if (route.method != req.method || !match(route.parts, 0, path, params)) continue;
        // Like Docker, the version is checked only once a route matched.
        if (auto problem = version_problem(version); !problem.empty()) {
            (void)w.send_error(400, problem);
            return;
        }
        req.api_version = std::move(version);
        req.params = std::move(params);
        route.handler(req, w);
        return;
    }
    (void)w.send_error(404, "page not found");
}

}  // namespace berth::http

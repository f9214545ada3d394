// Maps (method, path) to handlers the way Docker's API router does: an optional
// /v1.41 prefix selects the API version, captures may span slashes (image names
// such as localhost:5000/a/b:tag), anything unmatched is 404 "page not found".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace berth::http {

// Answers through the writer; one that returns without answering gets a 500.
using Handler = std::function<void(Request&, ResponseWriter&)>;

class Router {
  public:
    // Registers `handler` for `method` on `pattern`, whose "{name}" captures one
    // non-empty path segment and "{name:.*}" any text, slashes included, into
    // Request::params. The first route registered that matches wins, so register
    // "/images/json" before "/images/{name:.*}". HEAD is only routed where registered.
    void add(std::string method, std::string_view pattern, Handler handler);

    // Routes `req`: strips a /v<version> prefix into req.api_version, answers 400
    // for versions outside [kMinApiVersion, kApiVersion] and 404 for unknown
    // routes (a known path with another method too, as Docker does), else runs
    // the handler.
    void dispatch(Request& req, ResponseWriter& w) const;

  private:
    struct Part {
        enum class Kind { literal, segment, any };
        Kind kind = Kind::literal;
        std::string text;  // the literal, or the capture's name
    };
    struct Route {
        std::string method;
        std::vector<Part> parts;
        Handler handler;
    };
    static bool match(const std::vector<Part>& parts, std::size_t i, std::string_view path,
                      std::map<std::string, std::string>& params);

    std::vector<Route> routes_;
};

}  // namespace berth::http

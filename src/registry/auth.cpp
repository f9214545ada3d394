#include "registry/auth.hpp"

#include <cctype>

#include "base/base64.hpp"
#include "base/json.hpp"

namespace berth::registry {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/:").find(c) != std::string_view::npos;
}

void skip_space(std::string_view s, std::size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string read_token(std::string_view s, std::size_t& i) {
    std::size_t start = i;
    while (i < s.size() && is_token_char(s[i])) ++i;
    return std::string(s.substr(start, i - start));
}

std::string read_quoted(std::string_view s, std::size_t& i) {
    std::string out;
    ++i;  // opening quote
    while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i++];
    }
    if (i < s.size()) ++i;  // closing quote
    return out;
}

std::unexpected<Error> unauthorized(std::string message) {
    return fail_as(ErrorKind::unauthorized, "unauthorized: " + std::move(message));
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view h) {
    std::vector<Challenge> out;
    std::size_t i = 0;
    while (i < h.size()) {
        skip_space(h, i);
        while (i < h.size() && (h[i] == ',' || h[i] == ' ')) ++i;
        std::string scheme = read_token(h, i);
        if (scheme.empty()) break;
        Challenge c{lower(scheme), {}};
        // auth-params until the next "scheme " (a token not followed by '=')
        for (;;) {
            skip_space(h, i);
            std::size_t save = i;
            std::string key = read_token(h, i);
            skip_space(h, i);
            if (key.empty() || i >= h.size() || h[i] != '=') {
                i = save;
                break;
            }
            ++i;
            skip_space(h, i);
            std::string value = i < h.size() && h[i] == '"' ? read_quoted(h, i) : read_token(h, i);
            c.params[lower(key)] = std::move(value);
            skip_space(h, i);
            if (i < h.size() && h[i] == ',') ++i;
        }
        out.push_back(std::move(c));
        if (i < h.size() && !is_token_char(h[i])) ++i;  // never loop on junk
    }
    return out;
}

Result<std::string> Authorizer::fetch_token(const Challenge& c) {
    auto realm = c.params.find("realm");
    if (realm == c.params.end()) return fail("registry's bearer challenge names no realm");
    auto url = BERTH_TRY(with_context(parse_url(realm->second), "token realm"));
    if (auto svc = c.params.find("service"); svc != c.params.end())
        url.target = add_query(url.target, "service", svc->second);
    for (const auto& s : scopes_) url.target = add_query(url.target, "scope", s);
    HttpRequest req{.method = "GET", .url = url};
    if (!creds_.username.empty())
        req.headers.emplace_back("Authorization",
                                 "Basic " + base64_encode(creds_.username + ":" + creds_.password));
    auto resp = BERTH_TRY(with_context(http_.send(std::move(req)), "get token from " + url.origin()));
    if (resp.status == 401 || resp.status == 403)
        return unauthorized("incorrect username or password (token service " + url.origin() + " answered " +
                            std::to_string(resp.status) + ")");
    if (resp.status != 200)
        return fail("token service " + url.origin() + ": " + registry_error_text(resp));
    auto body = BERTH_TRY(resp.read_body(1 << 20));
    auto json = BERTH_TRY(parse_json(body, "token response"));
    // The spec names the field "token"; OAuth2 servers say "access_token".
    for (const char* key : {"token", "access_token"})
        if (json.is_object() && json.contains(key) && (*json.find(key)).is_string() &&
            !(*json.find(key)).get<std::string>().empty())
            return (*json.find(key)).get<std::string>();
    return fail("token service " + url.origin() + " sent no token");
}

Result<void> Authorizer::answer(const http::Headers& headers) {
    // What we sent was refused twice already: more tries won't help.
    if (++answered_ > 2) return unauthorized("authentication required");
    std::vector<Challenge> challenges;
    for (const auto& [name, value] : headers.fields())
        if (http::iequals(name, "WWW-Authenticate"))
            for (auto& c : parse_challenges(value)) challenges.push_back(std::move(c));
    for (const auto& c : challenges) {
        if (c.scheme == "bearer") {
            if (!creds_.registry_token.empty() && !header_) {
                header_ = "Bearer " + creds_.registry_token;
                return {};
            }
            header_ = "Bearer " + BERTH_TRY(fetch_token(c));
            return {};
        }
    }
    for (const auto& c : challenges) {
        if (c.scheme != "basic") continue;
        if (creds_.username.empty()) return unauthorized("authentication required");
        std::string basic = "Basic " + base64_encode(creds_.username + ":" + creds_.password);
        if (header_ == basic) return unauthorized("incorrect username or password");
        header_ = std::move(basic);
        return {};
    }
    return unauthorized("authentication required");
}

}  // namespace berth::registry

#include "registry/url.hpp"

#include "base/strings.hpp"

namespace berth::registry {

std::string Url::origin() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = port == (tls ? 443 : 80);
    return (tls ? "https://" : "http://") + h + (default_port ? "" : ":" + std::to_string(port));
}

std::string Url::authority() const {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
    Url u;
    std::string_view rest = text;
    if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        u.tls = false;
        u.port = 80;
        rest.remove_prefix(7);
    } else {
        return fail("URL \"" + std::string(text) + "\": want http:// or https://");
    }
    auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (u.target.starts_with("?")) u.target = "/" + u.target;
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    std::string_view port;
    if (authority.starts_with("[")) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return fail("URL \"" + std::string(text) + "\": unclosed [");
        u.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
    } else {
        auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (u.host.empty()) return fail("URL \"" + std::string(text) + "\" has no host");
    if (!port.empty()) {
        auto p = parse_int(port);
        if (!p || *p <= 0 || *p > 65535) return fail("URL \"" + std::string(text) + "\": bad port");
        u.port = static_cast<int>(*p);
    }
    return u;
}

Result<Url> resolve_location(const Url& base, std::string_view location) {
    if (location.starts_with("http://") || location.starts_with("https://")) return parse_url(location);
    if (!location.starts_with("/")) return fail("unsupported relative Location \"" + std::string(location) + "\"");
    Url u = base;
    u.target = std::string(location);
    return u;
}

std::string add_query(std::string target, std::string_view name, std::string_view value) {
    target += target.find('?') == std::string::npos ? '?' : '&';
    return target + std::string(name) + "=" + percent_encode(value);
}

}  // namespace berth::registry

#include "registry/proxy.hpp"

#include <arpa/inet.h>

#include <cstdlib>

#include "base/strings.hpp"

namespace berth::registry {

namespace {

std::string env_either(const char* upper, const char* lower) {
    if (const char* v = std::getenv(upper); v && *v) return v;
    if (const char* v = std::getenv(lower); v && *v) return v;
    return "";
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host == "::1") return true;
    in_addr a{};
    return ::inet_pton(AF_INET, std::string(host).c_str(), &a) == 1 &&
           (ntohl(a.s_addr) >> 24) == 127;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Whether IPv4 `host` lies in `cidr` ("10.0.0.0/8").
bool in_cidr(std::string_view host, std::string_view cidr) {
    auto slash = cidr.find('/');
    auto bits = parse_int(cidr.substr(slash + 1));
    in_addr net{}, ip{};
    if (!bits || *bits < 0 || *bits > 32) return false;
    if (::inet_pton(AF_INET, std::string(cidr.substr(0, slash)).c_str(), &net) != 1) return false;
    if (::inet_pton(AF_INET, std::string(host).c_str(), &ip) != 1) return false;
    std::uint32_t mask = *bits == 0 ? 0 : ~std::uint32_t{0} << (32 - *bits);
    return (ntohl(ip.s_addr) & mask) == (ntohl(net.s_addr) & mask);
}

// One NO_PROXY entry against the target's host and port.
bool exempts(std::string_view entry, const Url& target) {
    std::string host = lower(target.host);
    if (entry == "*") return true;
    if (entry.find('/') != std::string_view::npos) return in_cidr(host, entry);
    std::string_view name = entry;
    if (name.starts_with("[")) {  // "[::1]:5000"
        auto close = name.find(']');
        if (close == std::string_view::npos) return false;
        if (close + 2 < name.size() && name[close + 1] == ':' &&
            parse_int(name.substr(close + 2)) != std::optional<std::int64_t>(target.port))
            return false;
        name = name.substr(1, close - 1);
    } else if (auto colon = name.rfind(':');
               colon != std::string_view::npos && name.find(':') == colon) {
        if (parse_int(name.substr(colon + 1)) != std::optional<std::int64_t>(target.port))
            return false;
        name = name.substr(0, colon);
    }
    if (name.starts_with(".")) name.remove_prefix(1);
    std::string want = lower(name);
    if (want.empty()) return false;
    return host == want || (host.size() > want.size() && host.ends_with("." + want));
}

}  // namespace

ProxyEnv ProxyEnv::from_environment() {
    return {env_either("HTTPS_PROXY", "https_proxy"), env_either("HTTP_PROXY", "http_proxy"),
            env_either("NO_PROXY", "no_proxy")};
}

Result<std::optional<Url>> select_proxy(const Url& target, const ProxyEnv& env) {
    const std::string& raw = target.tls ? env.https_proxy : env.http_proxy;
    const char* var = target.tls ? "HTTPS_PROXY" : "HTTP_PROXY";
    if (raw.empty() || is_loopback_host(target.host)) return std::nullopt;
    for (auto& entry : split(env.no_proxy, ',')) {
        auto e = trim(entry);
        if (!e.empty() && exempts(e, target)) return std::nullopt;
    }
    std::string text = raw.find("://") == std::string::npos ? "http://" + raw : raw;
    auto proxy = parse_url(text);
    if (!proxy) return fail(std::string(var) + "=\"" + raw + "\": " + proxy.error().message);
    if (proxy->tls)
        return fail(std::string(var) + "=\"" + raw +
                    "\": berth speaks to proxies over plain HTTP only; use http://");
    return std::optional<Url>(*proxy);
}

}  // namespace berth::registry

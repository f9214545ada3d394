// Which HTTP proxy, if any, a registry connection goes through: HTTPS_PROXY for
// https URLs, HTTP_PROXY for http ones, unless NO_PROXY exempts the host (the
// conventions curl and Go's net/http share; lower-case names are read too).
// berthd reads them from its own environment, as dockerd does.
#pragma once

#include <optional>
#include <string>

#include "base/result.hpp"
#include "registry/url.hpp"

namespace berth::registry {

struct ProxyEnv {
    std::string https_proxy;  // "http://proxy:3128" (a bare "proxy:3128" means http://)
    std::string http_proxy;
    std::string no_proxy;  // "example.com,.corp,10.0.0.0/8,host:5000,*"

    // HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy, NO_PROXY/no_proxy of this process.
    static ProxyEnv from_environment();
};

// The proxy for `target`, none when no variable applies. Loopback hosts
// (localhost, 127.0.0.0/8, ::1) never go through a proxy, as in Go's net/http:
// a proxy elsewhere can't reach this machine's loopback. NO_PROXY entries match a
// host name and its subdomains ("example.com" and ".example.com" alike), an IP
// address, an IPv4 CIDR block, optionally with ":port"; "*" exempts everything.
// A proxy URL that does not parse, or an https:// proxy (TLS to the proxy itself
// is not supported), is an error naming the variable.
Result<std::optional<Url>> select_proxy(const Url& target, const ProxyEnv& env);

}  // namespace berth::registry

// The URLs a registry conversation uses: the registry's base, the realm of a token
// service, the Location of an upload or a redirect (RFC 3986, absolute http(s) only).
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::registry {

struct Url {
    bool tls = true;       // https
    std::string host;      // "registry-1.docker.io", "127.0.0.1", "::1" (no brackets)
    int port = 443;
    std::string target;    // path and query: "/v2/library/busybox/manifests/latest"

    // "https://host[:port]" (port left out when it is the scheme's default).
    std::string origin() const;
    std::string str() const { return origin() + target; }
    // "host:port" with the port always given ("[::1]:443"): a CONNECT target, a certs.d name.
    std::string authority() const;
};

// Parses "http://h:p/path?q" or "https://..."; other schemes and missing hosts are
// errors naming the text.
Result<Url> parse_url(std::string_view text);

// Resolves a Location header against the URL it answered: absolute, or a path
// ("/v2/x/blobs/uploads/uuid?state=..." as the distribution registry sends).
Result<Url> resolve_location(const Url& base, std::string_view location);

// Appends `name=value` to a URL's query, percent-encoding the value.
std::string add_query(std::string target, std::string_view name, std::string_view value);

}  // namespace berth::registry

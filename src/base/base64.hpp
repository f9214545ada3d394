// Base64 (RFC 4648): registry credentials travel in it — `auths.*.auth` in a
// Docker config.json (standard alphabet, "user:password") and the API's
// X-Registry-Auth header (URL-safe alphabet, a JSON object).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth {

// Standard alphabet with '=' padding (§4).
std::string base64_encode(std::string_view data);
// URL-safe alphabet (§5) with padding, as Go's base64.URLEncoding writes.
std::string base64url_encode(std::string_view data);
// Decodes either alphabet, padded or not (docker clients send both); nullopt on
// any other character or a length no encoding produces. Whitespace is not skipped.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace berth

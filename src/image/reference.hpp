// Image references ("busybox", "localhost:5000/app:1", "nginx@sha256:...") parsed
// and normalised the way the docker CLI and daemon do (distribution/reference
// grammar), so that a name a user types resolves to the same repository here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "image/digest.hpp"

namespace berth::image {

struct Reference {
    std::string domain;  // "docker.io", "localhost:5000", "[::1]:5000"
    std::string path;    // "library/busybox"
    std::string tag;     // "latest", or "" when the reference names none
    std::optional<Digest> digest;

    // "docker.io/library/busybox:latest", "docker.io/library/busybox@sha256:..."
    std::string str() const;
    // The short form docker prints: "busybox:latest", "user/app", "localhost:5000/x:1".
    std::string familiar() const;
    // "docker.io/library/busybox"
    std::string repository() const;
    // "busybox", "user/app", "localhost:5000/x"
    std::string familiar_repository() const;

    friend bool operator==(const Reference&, const Reference&) = default;
};

// Parses and normalises: "busybox" -> docker.io/library/busybox, "user/app" ->
// docker.io/user/app, "index.docker.io/x" -> docker.io/library/x. The first path
// component is a registry domain iff it contains '.' or ':', is "localhost", or has
// an uppercase letter (as in docker). No default tag is added (see with_default_tag).
// Errors start with "invalid reference format", as docker's do.
Result<Reference> parse_reference(std::string_view text);

// Adds tag "latest" when the reference names neither a tag nor a digest (what
// `docker pull busybox` does); digest-only references stay digest-only.
Reference with_default_tag(Reference ref);

// The hex prefix of an image ID when `text` can be one: 1 to 64 lowercase hex
// digits, optionally after "sha256:" ("sha256:" is then required to be followed by
// at least one digit). These strings also parse as references ("sha256:<hex>" as
// repository "sha256" with a tag), so callers resolve an image as docker does:
// a full "sha256:<64 hex>" is an ID; otherwise the name is looked up first and
// the ID prefix is the fallback.
std::optional<std::string> image_id_prefix(std::string_view text);
inline bool looks_like_image_id(std::string_view text) {
    return image_id_prefix(text).has_value();
}

}  // namespace berth::image

// Names the image commands send to the daemon, checked and split on the client
// side as the docker CLI does before any request.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::cli {

struct RepoTag {
    std::string repo;  // familiar: "busybox", "localhost:5000/x/y"
    std::string tag;   // "latest" when the name gave none
};

// TARGET of `tag` (and REPOSITORY[:TAG] of `import`): normalised, "latest" added,
// split into the repo and tag query parameters. The ':' of a registry port is not a
// tag separator ("localhost:5000/app" is repo "localhost:5000/app", tag "latest").
// Errors: `Error parsing reference: "Bad" is not a valid repository/tag: invalid
// reference format: repository name must be lowercase`; a digest is refused.
Result<RepoTag> split_repo_tag(std::string_view name);

// The first 12 hex digits of an ID, without its "sha256:" (docker's TruncateID).
std::string short_id(std::string_view id);

}  // namespace berth::cli

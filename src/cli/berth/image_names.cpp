#include "cli/berth/image_names.hpp"

#include "image/reference.hpp"

namespace berth::cli {

Result<RepoTag> split_repo_tag(std::string_view name) {
    auto ref = image::parse_reference(name);
    if (!ref)
        return fail_as(ErrorKind::invalid_argument, "Error parsing reference: \"" + std::string(name) +
                                                        "\" is not a valid repository/tag: " + ref.error().message);
    if (ref->digest) return fail_as(ErrorKind::invalid_argument, "refusing to create a tag with a digest reference");
    return RepoTag{ref->familiar_repository(), ref->tag.empty() ? "latest" : ref->tag};
}

std::string short_id(std::string_view id) {
    if (size_t colon = id.find(':'); colon != std::string_view::npos) id.remove_prefix(colon + 1);
    return std::string(id.substr(0, 12));
}

}  // namespace berth::cli

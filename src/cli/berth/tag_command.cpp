// berth tag SOURCE TARGET: POST /images/{source}/tag?repo=&tag=.
#include "cli/berth/command.hpp"
#include "cli/berth/image_names.hpp"
#include "image/reference.hpp"

namespace berth::cli {
namespace {

Result<void> run_tag(Session& session, const ParsedFlags& flags) {
    const std::string& source = flags.args[0];
    if (!image::looks_like_image_id(source)) {
        if (auto ref = image::parse_reference(source); !ref)
            return fail("Error parsing reference: \"" + source + "\" is not a valid repository/tag: " + ref.error().message);
    }
    RepoTag target = BERTH_TRY(split_repo_tag(flags.args[1]));
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("POST", "/images/" + path_escape(source) + "/tag",
                                    {{"repo", target.repo}, {"tag", target.tag}}));
    BERTH_TRYV(resp.read_body());
    return {};
}

}  // namespace

Command tag_command() {
    return {
        .path = "image tag",
        .aliases = {"tag"},
        .usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        .description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
        .min_args = 2,
        .max_args = 2,
        .run = run_tag,
    };
}

}  // namespace berth::cli

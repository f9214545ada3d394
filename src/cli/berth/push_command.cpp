// berth push [-a] NAME[:TAG]: POST /images/{name}/push?tag= with the stored
// credentials. As docker's CLI (20.10 on): no tag means "latest" unless
// -a/--all-tags, which sends an empty tag — the daemon then pushes every tag of
// the repository.
#include "cli/berth/command.hpp"
#include "cli/berth/message_stream.hpp"
#include "cli/berth/registry_auth.hpp"
#include "image/reference.hpp"

namespace berth::cli {
namespace {

Result<void> run_push(Session& session, const ParsedFlags& flags) {
    auto parsed = image::parse_reference(flags.args[0]);
    if (!parsed) return fail_as(ErrorKind::invalid_argument, parsed.error().message);
    if (parsed->digest) return fail_as(ErrorKind::invalid_argument, "cannot push a digest reference");
    image::Reference ref = *parsed;
    bool quiet = flags.enabled("quiet");
    if (flags.enabled("all-tags")) {
        if (!ref.tag.empty())
            return fail_as(ErrorKind::invalid_argument, "tag can't be used with --all-tags/-a");
    } else if (ref.tag.empty()) {
        ref = image::with_default_tag(ref);
        if (!quiet) BERTH_TRYV(session.out("Using default tag: " + ref.tag + "\n"));
    }
    auto headers = BERTH_TRY(registry_auth_header(ref.domain));
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("POST", "/images/" + path_escape(ref.familiar_repository()) + "/push",
                                    {{"tag", ref.tag}}, {}, headers));
    if (quiet) {
        StringWriter discard;
        BERTH_TRYV(display_messages(resp.body(), discard));
        return session.out(ref.str() + "\n");
    }
    FdWriter out(session.io().out);
    return display_messages(resp.body(), out, terminal_width(session.io().out));
}

}  // namespace

Command push_command() {
    return {
        .path = "image push",
        .aliases = {"push"},
        .usage = "[OPTIONS] NAME[:TAG]",
        .description = "Upload an image to a registry",
        .flags =
            {
                {.long_name = "all-tags",
                 .short_name = 'a',
                 .help = "Push all tags of an image to the repository"},
                {.long_name = "quiet", .short_name = 'q', .help = "Suppress verbose output"},
            },
        .min_args = 1,
        .max_args = 1,
        .run = run_push,
    };
}

}  // namespace berth::cli

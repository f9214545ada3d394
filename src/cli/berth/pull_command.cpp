// berth pull NAME[:TAG|@DIGEST]: POST /images/create?fromImage=&tag= with the
// stored credentials, progress shown as docker shows it, the full name at the end.
#include "cli/berth/command.hpp"
#include "cli/berth/message_stream.hpp"
#include "cli/berth/registry_auth.hpp"
#include "image/reference.hpp"

namespace berth::cli {
namespace {

Result<void> run_pull(Session& session, const ParsedFlags& flags) {
    auto parsed = image::parse_reference(flags.args[0]);
    if (!parsed) return fail_as(ErrorKind::invalid_argument, parsed.error().message);
    image::Reference ref = image::with_default_tag(*parsed);
    QueryParams query = {{"fromImage", ref.repository()},
                         {"tag", ref.digest ? ref.digest->str() : ref.tag}};
    if (flags.has("platform")) query.emplace_back("platform", flags.value("platform"));
    auto headers = BERTH_TRY(registry_auth_header(ref.domain));
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("POST", "/images/create", query, {}, headers));
    if (flags.enabled("quiet")) {
        StringWriter discard;
        BERTH_TRYV(display_messages(resp.body(), discard));
    } else {
        FdWriter out(session.io().out);
        BERTH_TRYV(display_messages(resp.body(), out, terminal_width(session.io().out)));
    }
    return session.out(ref.str() + "\n");
}

}  // namespace

Command pull_command() {
    return {
        .path = "image pull",
        .aliases = {"pull"},
        .usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
        .description = "Download an image from a registry",
        .flags =
            {
                {.long_name = "platform", .kind = FlagDef::String, .help = "Set platform if server is multi-platform capable"},
                {.long_name = "quiet", .short_name = 'q', .help = "Suppress verbose output"},
            },
        .min_args = 1,
        .max_args = 1,
        .run = run_pull,
    };
}

}  // namespace berth::cli

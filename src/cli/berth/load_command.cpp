// berth load: streams an image archive to POST /images/load and shows the daemon's
// messages.
#include <fcntl.h>
#include <unistd.h>

#include "base/file.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/message_stream.hpp"

namespace berth::cli {
namespace {

Result<void> run_load(Session& session, const ParsedFlags& flags) {
    UniqueFd file;
    int in = session.io().in;
    if (flags.has("input")) {
        file = BERTH_TRY(open_fd(flags.value("input"), O_RDONLY | O_CLOEXEC));
        in = file.get();
    } else if (::isatty(in)) {
        return fail("requested load from stdin, but stdin is empty");
    }
    FdReader archive(in);
    QueryParams query = {{"quiet", flags.enabled("quiet") ? "1" : "0"}};
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call_streamed("POST", "/images/load", query, archive, {{"Content-Type", "application/x-tar"}}));
    FdWriter out(session.io().out);
    if (resp.headers.get("Content-Type").value_or("") == "application/json")
        return display_messages(resp.body(), out, terminal_width(session.io().out));
    BERTH_TRYV(copy_stream(resp.body(), out));
    return {};
}

}  // namespace

Command load_command() {
    return {
        .path = "image load",
        .aliases = {"load"},
        .usage = "[OPTIONS]",
        .description = "Load an image from a tar archive or STDIN",
        .flags =
            {
                {.long_name = "input", .short_name = 'i', .kind = FlagDef::String, .help = "Read from tar archive file, instead of STDIN"},
                {.long_name = "quiet", .short_name = 'q', .help = "Suppress the load output"},
            },
        .max_args = 0,
        .run = run_load,
    };
}

}  // namespace berth::cli

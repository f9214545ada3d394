// berth history: GET /images/{name}/history as docker's table.
#include "cli/berth/command.hpp"
#include "cli/berth/history_rows.hpp"
#include "cli/berth/list_output.hpp"

namespace berth::cli {
namespace {

Result<void> run_history(Session& session, const ParsedFlags& flags) {
    ApiClient* api = BERTH_TRY(session.api());
    Json history = BERTH_TRY(api->get_json("/images/" + path_escape(flags.args[0]) + "/history"));
    // -H defaults to true: only an explicit -H=false turns it off.
    bool human = !flags.has("human") || flags.enabled("human");
    auto rows = history_rows(history, {.human = human, .no_trunc = flags.enabled("no-trunc"), .now = unix_now()});
    return print_rows(session, flags, history_table_format(human), history_headers(), rows);
}

}  // namespace

Command history_command() {
    return {
        .path = "image history",
        .aliases = {"history"},
        .usage = "[OPTIONS] IMAGE",
        .description = "Show the history of an image",
        .flags =
            {
                format_flag("Pretty-print images using a Go template"),
                {.long_name = "human",
                 .short_name = 'H',
                 .default_value = "true",
                 .help = "Print sizes and dates in human readable format"},
                {.long_name = "no-trunc", .help = "Don't truncate output"},
                {.long_name = "quiet", .short_name = 'q', .help = "Only show image IDs"},
            },
        .min_args = 1,
        .max_args = 1,
        .run = run_history,
    };
}

}  // namespace berth::cli

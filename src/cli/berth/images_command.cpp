// berth images / image ls: GET /images/json as docker's table.
#include "cli/berth/command.hpp"
#include "cli/berth/image_rows.hpp"
#include "cli/berth/list_output.hpp"

namespace berth::cli {
namespace {

Result<void> run_images(Session& session, const ParsedFlags& flags) {
    QueryParams query;
    if (flags.enabled("all")) query.emplace_back("all", "1");
    auto filters = flags.list("filter");
    // docker sends the REPOSITORY[:TAG] argument as a reference filter.
    if (!flags.args.empty()) filters.push_back("reference=" + flags.args[0]);
    add_filters_param(query, filters);
    ApiClient* api = BERTH_TRY(session.api());
    Json images = BERTH_TRY(api->get_json("/images/json", query));
    bool digests = flags.enabled("digests");
    auto rows = image_rows(images, {.no_trunc = flags.enabled("no-trunc"), .digests = digests, .now = unix_now()});
    return print_rows(session, flags, images_table_format(digests), image_headers(), rows);
}

}  // namespace

Command images_command() {
    return {
        .path = "image ls",
        .aliases = {"image list", "images"},
        .usage = "[OPTIONS] [REPOSITORY[:TAG]]",
        .description = "List images",
        .flags =
            {
                {.long_name = "all", .short_name = 'a', .help = "Show all images (default hides intermediate images)"},
                {.long_name = "digests", .help = "Show digests"},
                filter_flag("Filter output based on conditions provided"),
                format_flag("Pretty-print images using a Go template"),
                {.long_name = "no-trunc", .help = "Don't truncate output"},
                {.long_name = "quiet", .short_name = 'q', .help = "Only show image IDs"},
            },
        .max_args = 1,
        .check = [](const ParsedFlags& f) { return check_filters(f); },
        .run = run_images,
    };
}

}  // namespace berth::cli

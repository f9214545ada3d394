// berth events: GET /events streamed, one line (or --format) per event.
#include <time.h>

#include "cli/berth/command.hpp"
#include "cli/berth/event_line.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/berth/message_stream.hpp"
#include "cli/berth/time_text.hpp"

namespace berth::cli {
namespace {

std::int64_t now_nanos() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Result<void> check_events(const ParsedFlags& flags) {
    BERTH_TRYV(check_filters(flags));
    for (const char* name : {"since", "until"})
        if (auto t = timestamp_arg(flags.value(name), now_nanos()); !t)
            return fail("invalid value for --" + std::string(name) + ": " + t.error().message);
    return {};
}

Result<void> run_events(Session& session, const ParsedFlags& flags) {
    QueryParams query;
    for (const char* name : {"since", "until"}) {
        std::string value = BERTH_TRY(timestamp_arg(flags.value(name), now_nanos()));
        if (!value.empty()) query.emplace_back(name, value);
    }
    add_filters_param(query, flags.list("filter"));
    std::optional<Template> format;
    if (flags.has("format")) format = BERTH_TRY(parse_format(flags.value("format")));
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("GET", "/events", query));
    JsonMessageReader reader(resp.body());
    while (auto event = BERTH_TRY(reader.next())) {
        std::string line = format ? BERTH_TRY(format->render(event_template_data(*event))) + "\n" : event_line(*event);
        BERTH_TRYV(session.out(line));
    }
    return {};
}

}  // namespace

Command events_command() {
    return {
        .path = "system events",
        .aliases = {"events"},
        .usage = "[OPTIONS]",
        .description = "Get real time events from the server",
        .flags =
            {
                filter_flag("Filter output based on conditions provided"),
                format_flag("Format the output using the given Go template"),
                {.long_name = "since", .kind = FlagDef::String, .help = "Show all events created since timestamp"},
                {.long_name = "until", .kind = FlagDef::String, .help = "Stream events until this timestamp"},
            },
        .max_args = 0,
        .check = check_events,
        .run = run_events,
    };
}

}  // namespace berth::cli

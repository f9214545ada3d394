#include "cli/berth/list_output.hpp"

#include <ctime>

#include "cli/berth/filters.hpp"
#include "cli/format/formatter.hpp"

namespace berth::cli {

Result<void> print_rows(Session& session, const ParsedFlags& flags, const std::string& table_format,
                        const std::map<std::string, std::string>& headers, const std::vector<Json>& rows,
                        const std::string& quiet_format) {
    std::string format = flags.value("format");
    if (flags.enabled("quiet") && (format.empty() || format == "table")) format = quiet_format;
    std::string text = BERTH_TRY(format_rows(format, table_format, headers, rows));
    return session.out(text);
}

Result<Template> parse_format(std::string_view text) {
    auto parsed = parse_template(text);
    if (!parsed) return std::unexpected(std::move(parsed.error()).context("template parsing error"));
    return parsed;
}

Result<void> print_formatted(Session& session, std::string_view format, const Json& data) {
    Template tmpl = BERTH_TRY(parse_format(format));
    return session.out(BERTH_TRY(tmpl.render(data)) + "\n");
}

FlagDef format_flag(const std::string& help, char short_name) {
    return {.long_name = "format", .short_name = short_name, .kind = FlagDef::String, .help = help};
}

FlagDef filter_flag(const std::string& help, char short_name) {
    return {.long_name = "filter", .short_name = short_name, .kind = FlagDef::StringList, .help = help, .type_name = "filter"};
}

std::vector<FlagDef> prune_flags() {
    return {filter_flag("Provide filter values (e.g. 'until=<timestamp>')", 0),
            {.long_name = "force", .short_name = 'f', .help = "Do not prompt for confirmation"}};
}

Result<void> prune_check(const ParsedFlags& flags) { return check_filters(flags, "--filter"); }

Result<void> check_filters(const ParsedFlags& flags, std::string_view flag_title) {
    for (const auto& value : flags.list("filter")) {
        if (auto json = filters_json({value}); !json)
            return fail("invalid argument \"" + value + "\" for \"" + std::string(flag_title) +
                        "\" flag: " + json.error().message);
    }
    return {};
}

void add_filters_param(QueryParams& query, const std::vector<std::string>& filter_values) {
    auto json = filters_json(filter_values);
    if (json && !json->empty()) query.emplace_back("filters", *json);
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace berth::cli

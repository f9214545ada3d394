// The --format / -q handling the list commands share (images, history, system df).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "cli/berth/command.hpp"
#include "cli/format/template.hpp"

namespace berth::cli {

// Prints `rows` with the --format flag's value; `quiet` turns the default table
// (no --format, or "table") into `quiet_format` alone, as docker's -q does.
Result<void> print_rows(Session& session, const ParsedFlags& flags, const std::string& table_format,
                        const std::map<std::string, std::string>& headers, const std::vector<Json>& rows,
                        const std::string& quiet_format = "{{.ID}}");

// Parses a --format template; errors read "template parsing error: template: ...".
Result<Template> parse_format(std::string_view text);

// Renders `data` through a --format template and prints it with a newline
// (version, info: one object, not rows).
Result<void> print_formatted(Session& session, std::string_view format, const Json& data);

// FlagDef for "--format string" with docker's help text for the command.
FlagDef format_flag(const std::string& help, char short_name = 0);

// FlagDef for a repeatable "-f, --filter filter".
FlagDef filter_flag(const std::string& help, char short_name = 'f');

// The flags every `prune` shares: "--filter" (no short form: -f is --force) and
// "-f, --force"; prune_check rejects a malformed filter naming "--filter".
std::vector<FlagDef> prune_flags();
Result<void> prune_check(const ParsedFlags& flags);

// Rejects a malformed --filter before anything is sent, in pflag's words:
// `invalid argument "x" for "-f, --filter" flag: bad format of filter (expected name=value)`.
Result<void> check_filters(const ParsedFlags& flags, std::string_view flag_title = "-f, --filter");

// Adds the `filters` query parameter for --filter values (checked by check_filters), if any.
void add_filters_param(QueryParams& query, const std::vector<std::string>& filter_values);

// The current unix time (seconds).
std::int64_t unix_now();

}  // namespace berth::cli

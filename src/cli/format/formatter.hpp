// Docker's `--format` handling for list commands (images, ps, volume ls, ...).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace berth::cli {

// Renders `rows` as docker does for the value of --format:
//   ""  or "table"      the command's default table format
//   "table TEMPLATE"    a table with a header row
//   "json"              one compact JSON object per row ({{json .}})
//   "TEMPLATE"          the template once per row, each followed by a newline
// Literal `\t` and `\n` in the flag become tab and newline. Table mode renders the
// header row by running the template over `headers` (field name -> column title,
// e.g. "ID" -> "IMAGE ID"; a field without one shows "<no value>", as in docker)
// and aligns columns like Go's tabwriter with docker's settings (min width 10,
// padding 3). `default_table_format` may omit the "table" prefix.
// Errors: "template parsing error: template: :1: ..." or the execution error.
Result<std::string> format_rows(std::string_view format_flag, std::string_view default_table_format,
                                const std::map<std::string, std::string>& headers,
                                const std::vector<nlohmann::json>& rows);

}  // namespace berth::cli

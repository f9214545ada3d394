#include "cli/format/formatter.hpp"

#include "cli/format/tabwriter.hpp"
#include "cli/format/template.hpp"

namespace berth::cli {
namespace {

constexpr std::string_view kTable = "table";

// Docker's preFormat: strip the table keyword, trim spaces, turn `\t` `\n` into the
// characters (shells pass them literally).
std::string template_text(std::string_view format, bool table) {
    if (table) format.remove_prefix(kTable.size());
    size_t b = format.find_first_not_of(' ');
    size_t e = format.find_last_not_of(' ');
    format = b == std::string_view::npos ? std::string_view() : format.substr(b, e - b + 1);
    std::string out;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] == '\\' && i + 1 < format.size() && (format[i + 1] == 't' || format[i + 1] == 'n')) {
            out += format[++i] == 't' ? '\t' : '\n';
        } else {
            out += format[i];
        }
    }
    return out;
}

}  // namespace

Result<std::string> format_rows(std::string_view format_flag, std::string_view default_table_format,
                                const std::map<std::string, std::string>& headers,
                                const std::vector<nlohmann::json>& rows) {
    std::string format(format_flag);
    if (format.empty() || format == kTable) {
        format = default_table_format;
        if (!format.starts_with(kTable)) format = std::string(kTable) + " " + format;
    }
    bool table = format.starts_with(kTable);
    std::string text = format == "json" ? "{{json .}}" : template_text(format, table);
    auto parsed = parse_template(text);
    if (!parsed) return std::unexpected(std::move(parsed.error()).context("template parsing error"));
    std::string body;
    for (const auto& row : rows) {
        body += BERTH_TRY(parsed->render(row));
        body += '\n';
    }
    if (!table) return body;
    nlohmann::json header_row(headers);
    std::string header = parsed->render(header_row, {.header = true}).value_or("");
    return tabwrite(header + "\n" + body, 10, 3);
}

}  // namespace berth::cli

#include "cli/berth/history_rows.hpp"

#include "cli/berth/image_names.hpp"
#include "cli/berth/time_text.hpp"
#include "cli/format/go_print.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

// CREATED BY is cut to this many columns unless --no-trunc (docker's history.go).
constexpr size_t kCreatedByWidth = 45;

std::string created_by(const Json& entry, bool no_trunc) {
    std::string text = entry.value("CreatedBy", "");
    for (char& c : text)
        if (c == '\t') c = ' ';
    return no_trunc ? text : ellipsis(text, kCreatedByWidth);
}

}  // namespace

std::string ellipsis(std::string_view text, size_t width) {
    if (rune_count(text) <= width) return std::string(text);
    if (width == 0) return "";
    // Keep width-1 code points: skip UTF-8 continuation bytes when counting.
    size_t kept = 0, i = 0;
    for (; i < text.size(); ++i) {
        bool starts_rune = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
        if (starts_rune && kept++ == width - 1) break;
    }
    return std::string(text.substr(0, i)) + "…";
}

std::vector<Json> history_rows(const Json& history, const HistoryRowOptions& options) {
    std::vector<Json> rows;
    if (!history.is_array()) return rows;
    for (const auto& entry : history) {
        if (!entry.is_object()) continue;
        std::string id = entry.value("Id", "<missing>");
        std::int64_t created = entry.value("Created", std::int64_t{0});
        std::int64_t size = entry.value("Size", std::int64_t{0});
        std::string created_at = rfc3339_seconds(created);
        rows.push_back({
            {"ID", options.no_trunc || id == "<missing>" ? id : short_id(id)},
            {"CreatedAt", created_at},
            {"CreatedSince", options.human ? created_since(created, options.now) : created_at},
            {"CreatedBy", created_by(entry, options.no_trunc)},
            {"Size", options.human ? human_size_with_precision(static_cast<double>(size), 3) : std::to_string(size)},
            {"Comment", entry.value("Comment", "")},
        });
    }
    return rows;
}

std::string history_table_format(bool human) {
    return std::string("table {{.ID}}\t") + (human ? "{{.CreatedSince}}" : "{{.CreatedAt}}") +
           "\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
}

const std::map<std::string, std::string>& history_headers() {
    static const std::map<std::string, std::string> h = {
        {"ID", "IMAGE"},           {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"},
        {"CreatedBy", "CREATED BY"}, {"Size", "SIZE"},          {"Comment", "COMMENT"},
    };
    return h;
}

}  // namespace berth::cli

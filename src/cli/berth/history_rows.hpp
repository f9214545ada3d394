// The rows `history` prints for GET /images/{name}/history, with the field names
// docker's --format templates use (ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"

namespace berth::cli {

struct HistoryRowOptions {
    bool human = true;      // -H: sizes and dates for people; else bytes and RFC 3339
    bool no_trunc = false;  // full IDs and CREATED BY
    std::int64_t now = 0;   // unix seconds, for CreatedSince
};

std::vector<Json> history_rows(const Json& history, const HistoryRowOptions& options);

// The default table: CREATED (human) or CREATED AT.
std::string history_table_format(bool human);

const std::map<std::string, std::string>& history_headers();

// docker's Ellipsis: `text` cut to `width` code points, the last one replaced by "…"
// when anything was cut.
std::string ellipsis(std::string_view text, size_t width);

}  // namespace berth::cli

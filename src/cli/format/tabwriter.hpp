// Go's text/tabwriter for the settings docker's tables use (padding with spaces,
// no flags): cells end with '\t'; a column block is a run of consecutive lines that
// have a cell in that column, as wide as its widest cell plus the padding but at
// least the minimum width; the last cell of a line is never padded.
#pragma once

#include <string>
#include <string_view>

namespace berth::cli {

// Aligns `text` (lines ending in '\n'). Widths count UTF-8 code points, as Go does.
std::string tabwrite(std::string_view text, size_t min_width, size_t padding);

}  // namespace berth::cli

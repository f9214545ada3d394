#include "cli/runtime/table.hpp"

#include <algorithm>

namespace berth::cli {

std::string Table::render() const {
    constexpr size_t kMinWidth = 12, kPadding = 3;
    std::vector<size_t> width;
    for (auto& row : rows_) {
        if (width.size() < row.size()) width.resize(row.size(), 0);
        for (size_t i = 0; i < row.size(); ++i)
            width[i] = std::max(width[i], std::max(row[i].size() + kPadding, kMinWidth));
    }
    std::string out;
    for (auto& row : rows_) {
        for (size_t i = 0; i < row.size(); ++i) {
            out += row[i];
            if (i + 1 < row.size()) out.append(width[i] - row[i].size(), ' ');
        }
        out += '\n';
    }
    return out;
}

}  // namespace berth::cli

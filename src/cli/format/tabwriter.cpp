#include "cli/format/tabwriter.hpp"

#include <vector>

#include "cli/format/go_print.hpp"

namespace berth::cli {
namespace {

using Line = std::vector<std::string_view>;  // cells; the last one is the unterminated tail

class Aligner {
  public:
    Aligner(std::vector<Line> lines, size_t min_width, size_t padding)
        : lines_(std::move(lines)), min_width_(min_width), padding_(padding) {}

    std::string run() {
        format(0, lines_.size());
        return std::move(out_);
    }

  private:
    // Lays out lines [begin, end) for the column widths_.size(): every block of
    // lines that has a cell in that column gets one width, then the next column is
    // laid out within that block (Go's tabwriter.format recursion).
    void format(size_t begin, size_t end) {
        size_t column = widths_.size();
        size_t printed = begin;
        for (size_t line = begin; line < end; ++line) {
            if (column + 1 >= lines_[line].size()) continue;
            write_lines(printed, line);
            size_t block_end = line;
            size_t width = min_width_;
            for (; block_end < end && column + 1 < lines_[block_end].size(); ++block_end)
                width = std::max(width, rune_count(lines_[block_end][column]) + padding_);
            widths_.push_back(width);
            format(line, block_end);
            widths_.pop_back();
            printed = block_end;
            line = block_end - 1;
        }
        write_lines(printed, end);
    }

    void write_lines(size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            const Line& line = lines_[i];
            for (size_t j = 0; j < line.size(); ++j) {
                out_ += line[j];
                if (j < widths_.size()) out_.append(widths_[j] - rune_count(line[j]), ' ');
            }
            if (i + 1 < lines_.size()) out_ += '\n';
        }
    }

    std::vector<Line> lines_;
    size_t min_width_, padding_;
    std::vector<size_t> widths_;
    std::string out_;
};

}  // namespace

std::string tabwrite(std::string_view text, size_t min_width, size_t padding) {
    std::vector<Line> lines(1);
    size_t cell_start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\t' || text[i] == '\v' || text[i] == '\n') {
            lines.back().push_back(text.substr(cell_start, i - cell_start));
            cell_start = i + 1;
            if (i < text.size() && text[i] == '\n') lines.emplace_back();
        }
    }
    return Aligner(std::move(lines), min_width, padding).run();
}

}  // namespace berth::cli

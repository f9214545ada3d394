// Column-aligned text tables the way runc's (Go tabwriter: min width 12, padding 3)
// look, so scripts that cut columns from `runc list` work on ours.
#pragma once

#include <string>
#include <vector>

namespace berth::cli {

class Table {
  public:
    explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    std::string render() const;

  private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace berth::cli

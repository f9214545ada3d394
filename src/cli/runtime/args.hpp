// A small runc/urfave-cli style argument parser: "--name value", "--name=value",
// "-n value", boolean flags, repeated flags, and positional arguments; flags may
// come before or between positionals; "--" ends flag parsing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace berth::cli {

struct FlagSpec {
    std::string name;        // long name without dashes: "bundle"
    std::string short_name;  // "b" or ""
    bool takes_value = false;
};

class Args {
  public:
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string get(const std::string& name, std::string fallback = "") const;
    const std::vector<std::string>& all(const std::string& name) const;
    const std::vector<std::string>& positional() const { return positional_; }

    // Parses argv[begin..end). `stop_at_first_positional` keeps everything after the
    // first positional argument (exec's command line, global options) unparsed.
    static Result<Args> parse(const std::vector<std::string>& argv, size_t begin,
                              const std::vector<FlagSpec>& specs, bool stop_at_first_positional,
                              size_t* consumed = nullptr);

  private:
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

}  // namespace berth::cli

// Command-line flags the way docker's cobra/pflag parse them, and the Options part
// of `--help`.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace berth::cli {

struct FlagDef {
    enum Kind { Bool, String, StringList, Int };
    std::string long_name;
    char short_name = 0;  // 0: none
    Kind kind = Bool;
    std::string default_value;  // as shown in help; "" for none ("false"/"0" also count as none)
    std::string help;
    bool hidden = false;
    std::string type_name;  // the word after the flag in help ("filter", "bytes"); "" picks by kind
};

struct ParsedFlags {
    std::map<std::string, std::vector<std::string>> values;  // by long name, in the order given
    std::vector<std::string> args;                           // positional arguments
    bool help = false;                                       // -h/--help was given

    bool has(const std::string& name) const { return values.contains(name); }
    // The last value given, or "" when the flag was not set.
    std::string value(const std::string& name) const;
    // Every value given, for repeatable flags (-e A=1 -e B=2).
    std::vector<std::string> list(const std::string& name) const;
    // A bool flag's value (false when unset).
    bool enabled(const std::string& name) const;
};

enum class ArgMode {
    Interspersed,      // flags anywhere (`images -a busybox -q`)
    StopAtPositional,  // flags end at the first argument (`run IMAGE CMD -x`)
};

// Parses argv (without the command words). Errors in pflag's words:
// "unknown flag: --foo", "unknown shorthand flag: 'z' in -qz",
// "flag needs an argument: --name", "flag needs an argument: 'e' in -e",
// `invalid argument "x" for "-q, --quiet" flag: strconv.ParseBool: parsing "x": invalid syntax`.
Result<ParsedFlags> parse_flags(const std::vector<FlagDef>& defs, std::span<const std::string> argv,
                                ArgMode mode = ArgMode::Interspersed);

// The flag table of `--help` as pflag's FlagUsagesWrapped lays it out for a
// `width`-column terminal (docker passes terminal width - 1; 79 without a tty):
// "  -a, --all             Show all images (default hides intermediate images)".
std::string flag_usages(const std::vector<FlagDef>& defs, size_t width = 79);

// The whole help page: "Usage:  docker images [OPTIONS] ...", the description,
// optional aliases, then "Options:" and the flag table.
std::string usage_text(std::string_view usage_line, std::string_view description, const std::vector<FlagDef>& defs,
                       std::string_view aliases = {});

}  // namespace berth::cli

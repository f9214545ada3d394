#include "cli/flags/flags.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace berth::cli {
namespace {

const FlagDef* find_long(const std::vector<FlagDef>& defs, std::string_view name) {
    for (const auto& d : defs)
        if (d.long_name == name) return &d;
    return nullptr;
}

const FlagDef* find_short(const std::vector<FlagDef>& defs, char c) {
    for (const auto& d : defs)
        if (d.short_name == c) return &d;
    return nullptr;
}

std::string flag_title(const FlagDef& def) {
    return def.short_name ? std::string("-") + def.short_name + ", --" + def.long_name : "--" + def.long_name;
}

// strconv.ParseBool's spellings.
std::optional<bool> parse_bool(std::string_view s) {
    for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
        if (s == t) return true;
    for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
        if (s == f) return false;
    return std::nullopt;
}

// strconv.ParseInt(s, 0, 64) for decimal and 0x values.
bool is_int(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
    long long v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

Result<void> store(ParsedFlags& out, const FlagDef& def, std::string value) {
    auto invalid = [&](std::string_view parser) {
        return fail("invalid argument \"" + value + "\" for \"" + flag_title(def) + "\" flag: strconv." + std::string(parser) +
                    ": parsing \"" + value + "\": invalid syntax");
    };
    if (def.kind == FlagDef::Bool) {
        auto b = parse_bool(value);
        if (!b) return invalid("ParseBool");
        value = *b ? "true" : "false";
    }
    if (def.kind == FlagDef::Int && !is_int(value)) return invalid("ParseInt");
    out.values[def.long_name].push_back(std::move(value));
    return {};
}

class FlagParser {
  public:
    FlagParser(const std::vector<FlagDef>& defs, std::span<const std::string> argv) : defs_(defs), argv_(argv) {}

    Result<ParsedFlags> run(ArgMode mode) {
        while (next_ < argv_.size()) {
            const std::string& arg = argv_[next_++];
            if (arg == "--") {
                take_rest();
                break;
            }
            if (arg.size() < 2 || arg[0] != '-') {
                out_.args.push_back(arg);
                if (mode == ArgMode::StopAtPositional) {
                    take_rest();
                    break;
                }
                continue;
            }
            if (arg[1] == '-') BERTH_TRYV(parse_long(arg));
            else BERTH_TRYV(parse_shorts(arg));
        }
        return std::move(out_);
    }

  private:
    void take_rest() {
        while (next_ < argv_.size()) out_.args.push_back(argv_[next_++]);
    }

    Result<void> parse_long(const std::string& arg) {
        std::string_view body = std::string_view(arg).substr(2);
        if (body.empty() || body[0] == '-' || body[0] == '=') return fail("bad flag syntax: " + arg);
        size_t eq = body.find('=');
        std::string name(body.substr(0, eq));
        const FlagDef* def = find_long(defs_, name);
        if (!def) {
            if (name == "help") return out_.help = true, Result<void>();
            return fail("unknown flag: --" + name);
        }
        if (eq != std::string_view::npos) return store(out_, *def, std::string(body.substr(eq + 1)));
        if (def->kind == FlagDef::Bool) return store(out_, *def, "true");
        if (next_ >= argv_.size()) return fail("flag needs an argument: --" + name);
        return store(out_, *def, argv_[next_++]);
    }

    // "-qa", "-p8080:80", "-e" "A=B", "-q=false".
    Result<void> parse_shorts(const std::string& arg) {
        for (size_t i = 1; i < arg.size(); ++i) {
            char c = arg[i];
            const FlagDef* def = find_short(defs_, c);
            if (!def) {
                if (c == 'h') {
                    out_.help = true;
                    continue;
                }
                return fail(std::string("unknown shorthand flag: '") + c + "' in " + arg);
            }
            if (i + 1 < arg.size() && arg[i + 1] == '=') return store(out_, *def, arg.substr(i + 2));
            if (def->kind == FlagDef::Bool) {
                BERTH_TRYV(store(out_, *def, "true"));
                continue;
            }
            if (i + 1 < arg.size()) return store(out_, *def, arg.substr(i + 1));
            if (next_ >= argv_.size()) return fail(std::string("flag needs an argument: '") + c + "' in " + arg);
            return store(out_, *def, argv_[next_++]);
        }
        return {};
    }

    const std::vector<FlagDef>& defs_;
    std::span<const std::string> argv_;
    size_t next_ = 0;
    ParsedFlags out_;
};

std::string type_word(const FlagDef& def) {
    if (!def.type_name.empty()) return def.type_name;
    switch (def.kind) {
        case FlagDef::Bool: return "";
        case FlagDef::String: return "string";
        case FlagDef::StringList: return "list";
        case FlagDef::Int: return "int";
    }
    return "";
}

bool default_is_zero(const FlagDef& def) {
    const std::string& d = def.default_value;
    return d.empty() || (def.kind == FlagDef::Bool && d == "false") || (def.kind == FlagDef::Int && d == "0") || d == "[]";
}

// pflag's wrapN: the first `limit` bytes up to the last space (or an earlier
// newline), unless all of s fits within limit + slop.
std::pair<std::string, std::string> wrap_once(size_t limit, size_t slop, const std::string& s) {
    if (limit + slop > s.size()) return {s, ""};
    std::string_view head = std::string_view(s).substr(0, limit);
    size_t w = head.find_last_of(" \t\n");
    if (w == std::string_view::npos || w == 0) return {s, ""};
    size_t nl = head.rfind('\n');
    if (nl != std::string_view::npos && nl > 0 && nl < w) return {s.substr(0, nl), s.substr(nl + 1)};
    return {s.substr(0, w), s.substr(w + 1)};
}

std::string indent_newlines(const std::string& s, size_t indent) {
    std::string out;
    for (char c : s) {
        out += c;
        if (c == '\n') out.append(indent, ' ');
    }
    return out;
}

// pflag's wrap: text starting at column `indent`, wrapped to `width` with 5 columns
// of slop so a last short word does not dangle alone.
std::string wrap(size_t indent, size_t width, const std::string& s) {
    std::string out;
    size_t room = width > indent ? width - indent : 0;
    if (room < 24) {
        indent = 16;
        room = width > indent ? width - indent : 0;
        out += "\n" + std::string(indent, ' ');
    }
    if (room < 24) return out + indent_newlines(s, indent);
    constexpr size_t kSlop = 5;
    room -= kSlop;
    auto [line, rest] = wrap_once(room, kSlop, s);
    out += indent_newlines(line, indent);
    while (!rest.empty()) {
        auto [l, r] = wrap_once(room, kSlop, rest);
        out += "\n" + std::string(indent, ' ') + indent_newlines(l, indent);
        rest = std::move(r);
    }
    return out;
}

}  // namespace

std::string ParsedFlags::value(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second.back();
}

std::vector<std::string> ParsedFlags::list(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedFlags::enabled(const std::string& name) const { return value(name) == "true"; }

Result<ParsedFlags> parse_flags(const std::vector<FlagDef>& defs, std::span<const std::string> argv, ArgMode mode) {
    return FlagParser(defs, argv).run(mode);
}

std::string flag_usages(const std::vector<FlagDef>& defs, size_t width) {
    std::vector<const FlagDef*> shown;
    for (const auto& d : defs)
        if (!d.hidden) shown.push_back(&d);
    std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->long_name < b->long_name; });
    std::vector<std::pair<std::string, std::string>> lines;  // flag column, description
    size_t flag_width = 0;
    for (const FlagDef* d : shown) {
        std::string left = d->short_name ? std::string("  -") + d->short_name + ", --" + d->long_name : "      --" + d->long_name;
        std::string help = d->help;
        std::string word = type_word(*d);
        // A `quoted` word in the help names the value, as in pflag's UnquoteUsage.
        size_t q1 = help.find('`'), q2 = q1 == std::string::npos ? q1 : help.find('`', q1 + 1);
        if (q2 != std::string::npos) {
            word = help.substr(q1 + 1, q2 - q1 - 1);
            help.erase(q2, 1);
            help.erase(q1, 1);
        }
        if (!word.empty()) left += " " + word;
        if (!default_is_zero(*d))
            help += d->kind == FlagDef::String ? " (default \"" + d->default_value + "\")" : " (default " + d->default_value + ")";
        flag_width = std::max(flag_width, left.size() + 1);
        lines.emplace_back(std::move(left), std::move(help));
    }
    std::string out;
    for (auto& [left, help] : lines)
        out += left + " " + std::string(flag_width - left.size(), ' ') + " " + wrap(flag_width + 2, width, help) + "\n";
    return out;
}

std::string usage_text(std::string_view usage_line, std::string_view description, const std::vector<FlagDef>& defs,
                       std::string_view aliases) {
    std::string out = "Usage:  " + std::string(usage_line) + "\n\n" + std::string(description) + "\n";
    if (!aliases.empty()) out += "\nAliases:\n  " + std::string(aliases) + "\n";
    std::string table = flag_usages(defs);
    if (!table.empty()) out += "\nOptions:\n" + table;
    return out;
}

}  // namespace berth::cli

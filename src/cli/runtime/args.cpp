#include "cli/runtime/args.hpp"

namespace berth::cli {

std::string Args::get(const std::string& name, std::string fallback) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return fallback;
    return it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
    static const std::vector<std::string> none;
    auto it = values_.find(name);
    return it == values_.end() ? none : it->second;
}

static const FlagSpec* find_flag(const std::vector<FlagSpec>& specs, std::string_view name) {
    for (auto& s : specs)
        if (s.name == name || (!s.short_name.empty() && s.short_name == name)) return &s;
    return nullptr;
}

Result<Args> Args::parse(const std::vector<std::string>& argv, size_t begin,
                         const std::vector<FlagSpec>& specs, bool stop_at_first_positional,
                         size_t* consumed) {
    Args a;
    size_t i = begin;
    for (; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (arg == "--") {
            ++i;
            for (; i < argv.size(); ++i) a.positional_.push_back(argv[i]);
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            a.positional_.push_back(arg);
            if (stop_at_first_positional) {
                ++i;
                break;
            }
            continue;
        }
        std::string_view body = arg;
        body.remove_prefix(body.starts_with("--") ? 2 : 1);
        std::optional<std::string> inline_value;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            inline_value = std::string(body.substr(eq + 1));
            body = body.substr(0, eq);
        }
        const FlagSpec* spec = find_flag(specs, body);
        if (!spec) return fail("flag provided but not defined: -" + std::string(body));
        if (!spec->takes_value) {
            bool on = !inline_value || *inline_value == "true" || *inline_value == "1";
            if (on)
                a.values_[spec->name].push_back("true");
            else
                a.values_.erase(spec->name);
            continue;
        }
        if (inline_value) {
            a.values_[spec->name].push_back(*inline_value);
        } else {
            if (i + 1 >= argv.size()) return fail("flag needs an argument: -" + std::string(body));
            a.values_[spec->name].push_back(argv[++i]);
        }
    }
    if (consumed) *consumed = i;
    return a;
}

}  // namespace berth::cli

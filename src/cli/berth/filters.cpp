#include "cli/berth/filters.hpp"

#include <cctype>

#include "base/json.hpp"
#include "base/strings.hpp"

namespace berth::cli {

Result<std::string> filters_json(const std::vector<std::string>& flag_values) {
    Json filters = Json::object();
    for (const auto& arg : flag_values) {
        if (arg.empty()) continue;
        size_t eq = arg.find('=');
        if (eq == std::string::npos) return fail("bad format of filter (expected name=value)");
        std::string name(trim(std::string_view(arg).substr(0, eq)));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        filters[name][std::string(trim(std::string_view(arg).substr(eq + 1)))] = true;
    }
    return filters.empty() ? std::string() : filters.dump();
}

}  // namespace berth::cli

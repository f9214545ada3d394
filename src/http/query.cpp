#include "http/query.hpp"

#include <algorithm>
#include <cctype>

#include "base/json.hpp"
#include "base/strings.hpp"

namespace berth::http {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+' && plus_is_space) {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

Result<Query> parse_query(std::string_view raw) {
    Query query;
    for (const auto& pair : split(raw, '&')) {
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        auto name = percent_decode(std::string_view(pair).substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string::npos ? std::string_view() : std::string_view(pair).substr(eq + 1),
            true);
        if (!name || !value) return fail("invalid escape in query parameter \"" + pair + "\"");
        query.emplace(std::move(*name), std::move(*value));
    }
    return query;
}

bool docker_bool(std::string_view value) {
    std::string v(trim(value));
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    return !(v.empty() || v == "0" || v == "no" || v == "false" || v == "none");
}

Result<Filters> parse_filters(std::string_view json) {
    Filters filters;
    if (trim(json).empty()) return filters;
    auto doc = BERTH_TRY(parse_json(json, "filters"));
    auto invalid = [&] { return fail("invalid filters parameter " + std::string(json)); };
    if (!doc.is_object()) return invalid();
    for (const auto& [key, values] : doc.items()) {
        auto& out = filters[key];
        if (values.is_object()) {  // {"k":{"v":true}}: the values are the keys
            for (const auto& [v, flag] : values.items()) {
                if (!flag.is_boolean()) return invalid();
                out.push_back(v);
            }
        } else if (values.is_array()) {  // legacy {"k":["v"]}
            for (const auto& v : values) {
                if (!v.is_string()) return invalid();
                out.push_back(v.get<std::string>());
            }
        } else {
            return invalid();
        }
    }
    return filters;
}

}  // namespace berth::http

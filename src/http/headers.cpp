#include "http/headers.hpp"

#include "base/strings.hpp"

namespace berth::http {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

void Headers::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

bool Headers::has_token(std::string_view name, std::string_view token) const {
    for (const auto& [n, v] : fields_) {
        if (!iequals(n, name)) continue;
        for (const auto& part : split(v, ','))
            if (iequals(trim(part), token)) return true;
    }
    return false;
}

}  // namespace berth::http

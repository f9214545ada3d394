#include "cli/berth/network_rows.hpp"

#include <algorithm>
#include <cctype>

#include "base/strings.hpp"
#include "base/time.hpp"
#include "cli/berth/time_text.hpp"

namespace berth::cli {
namespace {

std::string labels_text(const Json& labels) {
    std::vector<std::string> parts;
    if (labels.is_object())
        for (const auto& [k, v] : labels.items())
            parts.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
    return join(parts, ",");
}

std::string string_field(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool bool_field(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        bool da = is_digit(a[i]), db = is_digit(b[j]);
        if (da != db) return da;  // digits sort before other characters
        if (!da) {
            if (a[i] != b[j])
                return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
            ++i;
            ++j;
            continue;
        }
        // Numbers: leading zeros skipped, then the shorter is less, then by digits,
        // then the one with fewer leading zeros.
        while (i < a.size() && a[i] == '0') ++i;
        while (j < b.size() && b[j] == '0') ++j;
        std::size_t start_a = i, start_b = j;
        while (i < a.size() && is_digit(a[i])) ++i;
        while (j < b.size() && is_digit(b[j])) ++j;
        if (i - start_a != j - start_b) return i - start_a < j - start_b;
        auto x = a.compare(start_a, i - start_a, b, start_b, j - start_b);
        if (x != 0) return x < 0;
        if (start_a != start_b) return start_a < start_b;
    }
    return a.size() < b.size();
}

std::string go_time_text(const std::string& rfc3339) {
    auto ns = parse_rfc3339_nanos(rfc3339);
    if (!ns) return rfc3339;
    std::int64_t secs = *ns / 1'000'000'000, frac = *ns % 1'000'000'000;
    if (frac < 0) {
        frac += 1'000'000'000;
        --secs;
    }
    std::string text = go_time_string(secs);
    if (frac == 0) return text;
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    return text.insert(19, "." + digits);  // after "YYYY-MM-DD hh:mm:ss"
}

std::vector<Json> network_rows(const Json& networks, bool no_trunc) {
    std::vector<const Json*> sorted;
    if (networks.is_array())
        for (const auto& n : networks)
            if (n.is_object()) sorted.push_back(&n);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Json* a, const Json* b) {
        return natural_less(string_field(*a, "Name"), string_field(*b, "Name"));
    });
    std::vector<Json> rows;
    for (const Json* n : sorted) {
        std::string id = string_field(*n, "Id");
        Json labels =
            n->contains("Labels") && (*n)["Labels"].is_object() ? (*n)["Labels"] : Json::object();
        rows.push_back({
            {"ID", no_trunc ? id : id.substr(0, 12)},
            {"Name", string_field(*n, "Name")},
            {"Driver", string_field(*n, "Driver")},
            {"Scope", string_field(*n, "Scope")},
            {"IPv6", bool_field(*n, "EnableIPv6") ? "true" : "false"},
            {"Internal", bool_field(*n, "Internal") ? "true" : "false"},
            {"Labels", labels_text(labels)},
            {"Label", labels},
            {"CreatedAt", go_time_text(string_field(*n, "Created"))},
        });
    }
    return rows;
}

const std::map<std::string, std::string>& network_headers() {
    static const std::map<std::string, std::string> headers = {
        {"ID", "NETWORK ID"}, {"Name", "NAME"},   {"Driver", "DRIVER"},
        {"Scope", "SCOPE"},   {"IPv6", "IPV6"},   {"Internal", "INTERNAL"},
        {"Labels", "LABELS"}, {"Label", "LABEL"}, {"CreatedAt", "CREATED AT"},
    };
    return headers;
}

}  // namespace berth::cli

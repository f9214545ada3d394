#include "http/versions.hpp"

#include <charconv>

namespace berth::http {

namespace {
// The next dot-separated field as a number (junk counts as 0), consuming it.
long next_field(std::string_view& v) {
    auto dot = v.find('.');
    std::string_view field = v.substr(0, dot);
    v = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
    long n = 0;
    std::from_chars(field.data(), field.data() + field.size(), n);
    return n;
}
}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
    while (!a.empty() || !b.empty()) {
        long x = next_field(a), y = next_field(b);
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

}  // namespace berth::http

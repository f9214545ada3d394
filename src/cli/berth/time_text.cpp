#include "cli/berth/time_text.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "base/time.hpp"

namespace berth::cli {
namespace {

std::string utc_format(std::int64_t unix_seconds, const char* layout) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, layout, &tm);
    return buf;
}

std::int64_t unit_nanos(std::string_view unit) {
    if (unit == "ns") return 1;
    if (unit == "us" || unit == "µs") return 1000;
    if (unit == "ms") return 1000000;
    if (unit == "s") return 1000000000LL;
    if (unit == "m") return 60LL * 1000000000LL;
    if (unit == "h") return 3600LL * 1000000000LL;
    return 0;
}

bool is_number(std::string_view s) {
    bool digits = false, dot = false;
    for (char c : s) {
        if (c >= '0' && c <= '9') digits = true;
        else if (c == '.' && !dot) dot = true;
        else return false;
    }
    return digits;
}

std::string seconds_nanos(std::int64_t nanos) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(nanos / 1000000000LL),
                  static_cast<long long>(nanos % 1000000000LL));
    return buf;
}

}  // namespace

std::string go_time_string(std::int64_t unix_seconds) { return utc_format(unix_seconds, "%Y-%m-%d %H:%M:%S +0000 UTC"); }

std::string rfc3339_seconds(std::int64_t unix_seconds) { return utc_format(unix_seconds, "%Y-%m-%dT%H:%M:%SZ"); }

Result<std::int64_t> parse_go_duration(std::string_view text) {
    std::string original(text);
    auto bad = [&] { return fail("time: invalid duration \"" + original + "\""); };
    bool negative = !text.empty() && text[0] == '-';
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
    if (text == "0") return 0;
    if (text.empty()) return bad();
    double total = 0;
    while (!text.empty()) {
        size_t n = 0;
        while (n < text.size() && ((text[n] >= '0' && text[n] <= '9') || text[n] == '.')) ++n;
        if (n == 0) return bad();
        double value = 0;
        auto r = std::from_chars(text.data(), text.data() + n, value);
        if (r.ptr != text.data() + n) return bad();
        text.remove_prefix(n);
        size_t u = 0;
        while (u < text.size() && !((text[u] >= '0' && text[u] <= '9') || text[u] == '.')) ++u;
        std::int64_t unit = unit_nanos(text.substr(0, u));
        if (unit == 0) return bad();
        total += value * static_cast<double>(unit);
        text.remove_prefix(u);
    }
    auto nanos = static_cast<std::int64_t>(total);
    return negative ? -nanos : nanos;
}

Result<std::string> timestamp_arg(std::string_view value, std::int64_t now_nanos) {
    if (value.empty()) return std::string();
    if (is_number(value)) return std::string(value);
    if (auto d = parse_go_duration(value)) return seconds_nanos(now_nanos - *d);
    std::string text(value);
    if (text.size() == 10) text += "T00:00:00";  // a date alone
    if (text.size() == 19) text += "Z";          // no zone: docker reads it as UTC here
    if (auto nanos = parse_rfc3339_nanos(text)) return seconds_nanos(*nanos);
    return fail("failed to parse time \"" + std::string(value) + "\"");
}

}  // namespace berth::cli

#include "base/time.hpp"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace berth {

std::string rfc3339_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return rfc3339(ts.tv_sec, ts.tv_nsec);
}

std::string rfc3339(std::int64_t seconds, long nanos) {
    time_t secs = static_cast<time_t>(seconds);
    tm t{};
    gmtime_r(&secs, &t);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    snprintf(buf + n, sizeof buf - n, ".%09ldZ", nanos);
    return buf;
}

std::optional<std::int64_t> parse_rfc3339_nanos(std::string_view text) {
    // Fixed part: YYYY-MM-DDTHH:MM:SS (the 'T' may be lowercase or a space, per RFC 3339).
    if (text.size() < 20) return std::nullopt;
    int f[6];
    const std::size_t pos[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; ++i) {
        int v = 0;
        for (std::size_t k = pos[i]; k < pos[i] + len[i]; ++k) {
            if (text[k] < '0' || text[k] > '9') return std::nullopt;
            v = v * 10 + (text[k] - '0');
        }
        f[i] = v;
    }
    if (text[4] != '-' || text[7] != '-' || text[13] != ':' || text[16] != ':') return std::nullopt;
    if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
    std::size_t i = 19;
    std::int64_t nanos = 0;
    if (i < text.size() && text[i] == '.') {
        std::int64_t scale = 100'000'000;
        for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            nanos += (text[i] - '0') * scale;
            scale /= 10;
        }
    }
    std::int64_t offset = 0;
    if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
        ++i;
    } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
        int h = (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
        int m = (text[i + 4] - '0') * 10 + (text[i + 5] - '0');
        offset = (text[i] == '+' ? 1 : -1) * (h * 3600 + m * 60);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != text.size()) return std::nullopt;
    tm t{};
    t.tm_year = f[0] - 1900;
    t.tm_mon = f[1] - 1;
    t.tm_mday = f[2];
    t.tm_hour = f[3];
    t.tm_min = f[4];
    t.tm_sec = f[5];
    std::int64_t secs = static_cast<std::int64_t>(timegm(&t)) - offset;
    // Nanoseconds since 1970 fit an int64 for 1678..2262 only; Docker's zero time
    // ("0001-01-01T00:00:00Z", "never") is outside: nothing to give.
    constexpr std::int64_t kMaxSecs = INT64_MAX / 1'000'000'000 - 1;
    if (secs < -kMaxSecs || secs > kMaxSecs) return std::nullopt;
    return secs * 1'000'000'000 + nanos;
}

std::optional<std::int64_t> parse_timestamp_arg(std::string_view text) {
    auto dot = text.find('.');
    std::string_view secs = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    auto digits = [](std::string_view s) {
        return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (digits(secs) && (dot == std::string_view::npos || (digits(frac) && frac.size() <= 9))) {
        std::int64_t ns = std::stoll(std::string(secs)) * 1'000'000'000;
        std::string f(frac);
        f.resize(9, '0');
        return ns + std::stoll(f);
    }
    return parse_rfc3339_nanos(text);
}

}  // namespace berth

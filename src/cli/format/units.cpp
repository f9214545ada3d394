#include "cli/format/units.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace berth::cli {
namespace {

std::string scaled(double size, double base, const char* const* units, int unit_count, int precision = 4) {
    int i = 0;
    while (size >= base && i < unit_count - 1) {
        size /= base;
        ++i;
    }
    // C's %.4g and Go's agree for these magnitudes (below 1000 after scaling).
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g%s", precision, size, units[i]);
    return buf;
}

std::string plural(int64_t n, const char* unit) { return std::to_string(n) + " " + unit; }

// go-units parseSize: a number, an optional space, then an optional suffix of a
// unit letter (k m g t p) with an optional "b" or "ib", or just "b".
Result<int64_t> parse_with(std::string_view text, double kilo) {
    std::string original(text);
    size_t sep = text.find_last_of("0123456789. ");
    if (sep == std::string_view::npos) return fail("invalid size: '" + original + "'");
    std::string_view num = text.substr(0, text[sep] == ' ' ? sep : sep + 1);
    std::string suffix(text.substr(sep + 1));
    double size = 0;
    auto r = std::from_chars(num.data(), num.data() + num.size(), size);
    if (r.ec != std::errc() || r.ptr != num.data() + num.size())
        return fail("strconv.ParseFloat: parsing \"" + std::string(num) + "\": invalid syntax");
    if (size < 0) return fail("invalid size: '" + original + "'");
    if (suffix.empty()) return static_cast<int64_t>(size);
    for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto bad_suffix = [&] { return fail("invalid suffix: '" + suffix + "'"); };
    if (suffix.size() > 3) return bad_suffix();
    if (suffix == "b") return static_cast<int64_t>(size);
    const std::string_view letters = "kmgtp";
    size_t power = letters.find(suffix[0]);
    if (power == std::string_view::npos) return bad_suffix();
    if ((suffix.size() == 2 && suffix[1] != 'b') || (suffix.size() == 3 && suffix.substr(1) != "ib")) return bad_suffix();
    for (size_t p = 0; p <= power; ++p) size *= kilo;
    return static_cast<int64_t>(size);
}

}  // namespace

std::string human_size(double bytes) { return human_size_with_precision(bytes, 4); }

std::string human_size_with_precision(double bytes, int precision) {
    static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    return scaled(bytes, 1000.0, units, 9, precision);
}

std::string bytes_size(double bytes) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    return scaled(bytes, 1024.0, units, 9);
}

std::string human_duration(int64_t seconds) {
    if (seconds < 1) return "Less than a second";
    if (seconds == 1) return "1 second";
    if (seconds < 60) return plural(seconds, "seconds");
    int64_t minutes = seconds / 60;
    if (minutes == 1) return "About a minute";
    if (minutes < 60) return plural(minutes, "minutes");
    auto hours = static_cast<int64_t>(static_cast<double>(seconds) / 3600.0 + 0.5);
    if (hours == 1) return "About an hour";
    if (hours < 48) return plural(hours, "hours");
    if (hours < 24 * 7 * 2) return plural(hours / 24, "days");
    if (hours < 24 * 30 * 2) return plural(hours / 24 / 7, "weeks");
    if (hours < 24 * 365 * 2) return plural(hours / 24 / 30, "months");
    return plural(seconds / 3600 / 24 / 365, "years");
}

std::string created_since(int64_t created_unix, int64_t now_unix) { return human_duration(now_unix - created_unix) + " ago"; }

Result<int64_t> parse_size(std::string_view text) { return parse_with(text, 1024.0); }

Result<int64_t> parse_human_size(std::string_view text) { return parse_with(text, 1000.0); }

}  // namespace berth::cli

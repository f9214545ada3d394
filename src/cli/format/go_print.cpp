#include "cli/format/go_print.hpp"

#include <charconv>
#include <cstdio>

#include "base/text.hpp"

namespace berth::cli {

// Message building shared with the runtime (GCC 12 has no <format>).
namespace {

using Json = nlohmann::json;

// Go's %v for float64 is strconv's shortest 'g': exponent form when the decimal
// exponent is below -4 or at least 6 (so 1e+06, but 123456).
std::string go_float(double d) {
    char buf[64];
    auto sci = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, sci.ptr);
    size_t e = s.find('e');
    int exp = 0;
    std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exp);
    if (exp < -4 || exp >= 6) return s;
    auto fixed = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    return std::string(buf, fixed.ptr);
}

std::string hex(unsigned value, int width, bool upper) {
    char buf[16];
    std::snprintf(buf, sizeof buf, upper ? "%0*X" : "%0*x", width, value);
    return buf;
}

std::string bad_verb(char verb, const std::optional<Json>& arg) {
    if (!arg || arg->is_null()) return cat("%!", verb, "(<nil>)");
    return cat("%!", verb, "(", go_type_name(*arg), "=", go_sprint(*arg), ")");
}

std::string utf8_encode(long long cp) {
    std::string out;
    auto c = static_cast<unsigned long>(cp);
    if (cp < 0 || cp > 0x10FFFF) c = 0xFFFD;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

struct Spec {
    bool minus = false, plus = false, zero = false, space = false;
    int width = -1, precision = -1;
    char verb = 0;
};

// Pads to the width: spaces on the left (right with '-'), or zeros after the sign.
std::string pad(std::string s, const Spec& spec, bool numeric) {
    if (spec.width < 0 || rune_count(s) >= static_cast<size_t>(spec.width)) return s;
    size_t fill = spec.width - rune_count(s);
    if (spec.minus) return s + std::string(fill, ' ');
    if (spec.zero && numeric) {
        size_t at = !s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
        return s.insert(at, fill, '0');
    }
    return std::string(fill, ' ') + s;
}

std::string format_integer(long long v, const Spec& spec) {
    std::string digits;
    unsigned long long mag = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    int base = spec.verb == 'x' || spec.verb == 'X' ? 16 : spec.verb == 'o' ? 8 : spec.verb == 'b' ? 2 : 10;
    char buf[72];
    auto r = std::to_chars(buf, buf + sizeof buf, mag, base);
    digits.assign(buf, r.ptr);
    if (spec.verb == 'X')
        for (char& c : digits) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (spec.precision >= 0 && digits.size() < static_cast<size_t>(spec.precision)) digits.insert(0, spec.precision - digits.size(), '0');
    std::string sign = v < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
    return sign + digits;
}

std::string format_float(double d, const Spec& spec) {
    std::string s;
    if (spec.precision < 0 && (spec.verb == 'g' || spec.verb == 'G' || spec.verb == 'v')) {
        s = go_float(d);
    } else {
        char buf[512];
        int prec = spec.precision < 0 ? 6 : spec.precision;
        char verb = spec.verb == 'v' ? 'g' : spec.verb;
        std::snprintf(buf, sizeof buf, cat("%.", prec, verb).c_str(), d);
        s = buf;
    }
    if (d >= 0 && spec.plus) s.insert(0, "+");
    else if (d >= 0 && spec.space) s.insert(0, " ");
    return s;
}

// One verb applied to one argument, before width padding.
std::string format_arg(const Spec& spec, const std::optional<Json>& arg) {
    bool is_int = arg && (arg->is_number_integer());
    switch (spec.verb) {
        case 'v':
            if (!arg) return "<no value>";
            if (arg->is_number_float()) return format_float(arg->get<double>(), spec);
            return go_sprint(*arg);
        case 's': {
            if (!arg || (!arg->is_string() && !arg->is_array() && !arg->is_object())) return bad_verb('s', arg);
            std::string s = arg->is_string() ? arg->get<std::string>() : go_sprint(*arg);
            if (spec.precision >= 0) {
                size_t runes = 0, i = 0;
                for (; i < s.size(); ++i) {
                    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && runes++ == static_cast<size_t>(spec.precision)) break;
                }
                s.resize(i);
            }
            return s;
        }
        case 'd': case 'o': case 'b':
            if (!is_int) return bad_verb(spec.verb, arg);
            return format_integer(arg->get<long long>(), spec);
        case 'x': case 'X':
            if (is_int) return format_integer(arg->get<long long>(), spec);
            if (arg && arg->is_string()) {
                std::string out;
                for (unsigned char c : arg->get<std::string>()) out += hex(c, 2, spec.verb == 'X');
                return out;
            }
            return bad_verb(spec.verb, arg);
        case 'q':
            if (arg && arg->is_string()) return go_quote(arg->get<std::string>());
            if (is_int) return "'" + utf8_encode(arg->get<long long>()) + "'";
            return bad_verb('q', arg);
        case 'c':
            if (!is_int) return bad_verb('c', arg);
            return utf8_encode(arg->get<long long>());
        case 't':
            if (!arg || !arg->is_boolean()) return bad_verb('t', arg);
            return arg->get<bool>() ? "true" : "false";
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
            if (!arg || !arg->is_number_float()) return bad_verb(spec.verb, arg);
            return format_float(arg->get<double>(), spec);
        default: return bad_verb(spec.verb, arg);
    }
}

}  // namespace

size_t rune_count(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count all but UTF-8 continuation bytes
    return n;
}

std::string go_type_name(const Json& value) {
    switch (value.type()) {
        case Json::value_t::string: return "string";
        case Json::value_t::boolean: return "bool";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned: return "int";
        case Json::value_t::number_float: return "float64";
        case Json::value_t::array: return "[]interface {}";
        case Json::value_t::object: return "map[string]interface {}";
        default: return "<nil>";
    }
}

std::string go_sprint(const Json& value) {
    switch (value.type()) {
        case Json::value_t::string: return value.get<std::string>();
        case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
        case Json::value_t::number_integer: return std::to_string(value.get<long long>());
        case Json::value_t::number_unsigned: return std::to_string(value.get<unsigned long long>());
        case Json::value_t::number_float: return go_float(value.get<double>());
        case Json::value_t::array: {
            std::string out = "[";
            for (size_t i = 0; i < value.size(); ++i) out += (i ? " " : "") + go_sprint(value[i]);
            return out + "]";
        }
        case Json::value_t::object: {
            // nlohmann's default object is a std::map, so keys come sorted as fmt sorts them.
            std::string out = "map[";
            bool first = true;
            for (auto& [k, v] : value.items()) {
                out += (first ? "" : " ") + k + ":" + go_sprint(v);
                first = false;
            }
            return out + "]";
        }
        default: return "<nil>";
    }
}

std::string go_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            case '\a': out += "\\a"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\v': out += "\\v"; break;
            default:
                if (c < 0x20 || c == 0x7F) out += "\\x" + hex(c, 2, false);
                else out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string go_sprintf(std::string_view format, const std::vector<std::optional<Json>>& args) {
    std::string out;
    size_t next_arg = 0;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        Spec spec;
        for (++i; i < format.size(); ++i) {
            char f = format[i];
            if (f == '-') spec.minus = true;
            else if (f == '+') spec.plus = true;
            else if (f == '0') spec.zero = true;
            else if (f == ' ') spec.space = true;
            else if (f != '#') break;
        }
        auto read_number = [&](int& target) {
            size_t start = i;
            while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) ++i;
            if (i > start) std::from_chars(format.data() + start, format.data() + i, target);
        };
        read_number(spec.width);
        if (i < format.size() && format[i] == '.') {
            ++i;
            spec.precision = 0;
            read_number(spec.precision);
        }
        if (i >= format.size()) {
            out += "%!(NOVERB)";
            break;
        }
        spec.verb = format[i];
        if (spec.verb == '%') {
            out += '%';
            continue;
        }
        if (next_arg >= args.size()) {
            out += cat("%!", spec.verb, "(MISSING)");
            continue;
        }
        const auto& arg = args[next_arg++];
        bool numeric = arg && arg->is_number();
        out += pad(format_arg(spec, arg), spec, numeric);
    }
    if (next_arg < args.size()) {
        out += "%!(EXTRA ";
        for (size_t a = next_arg; a < args.size(); ++a) {
            if (a > next_arg) out += ", ";
            const auto& arg = args[a];
            out += !arg || arg->is_null() ? "<nil>" : go_type_name(*arg) + "=" + go_sprint(*arg);
        }
        out += ")";
    }
    return out;
}

}  // namespace berth::cli

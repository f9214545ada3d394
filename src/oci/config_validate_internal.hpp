// Helpers shared by the config validation files.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::oci::detail {

// Named so that ADL can't pick std::quoted for a std::string argument.
inline std::string in_quotes(std::string_view s) {
    std::string r;  // built by appends: GCC 12 warns (-Wrestrict) on "\"" + s + "\""
    r.reserve(s.size() + 2);
    r += '"';
    r.append(s);
    r += '"';
    return r;
}

inline std::unexpected<Error> field_error(std::string_view path, std::string_view what) {
    return fail(std::string(path) + ": " + std::string(what));
}

// Empty: "<path>: required"; relative: "<path>: must be an absolute path, got \"x\"".
inline Result<void> check_absolute(std::string_view path, const std::string& value) {
    if (value.empty()) return field_error(path, "required");
    if (value[0] != '/')
        return field_error(path, "must be an absolute path, got " + in_quotes(value));
    return {};
}

// Checks on "linux" and on the fields that only make sense with a particular
// namespace (hostname, domainname); config_validate_linux.cpp.
Result<void> validate_linux(const Config& c);

}  // namespace berth::oci::detail

// Printing JSON values the way Go's fmt prints them once encoding/json has decoded
// them into interface{} values: what docker's --format output is made of.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::cli {

// fmt's %v: strings bare, integers without ".0", floats in Go's shortest form
// (1.5, 1e+06), null as <nil>, arrays as [a b], objects as map[a:1 b:2].
std::string go_sprint(const nlohmann::json& value);

// The Go type name encoding/json would have produced: string, int, float64, bool,
// []interface {}, map[string]interface {}; "<nil>" for null.
std::string go_type_name(const nlohmann::json& value);

// Display width as Go's fmt and tabwriter count it: UTF-8 code points.
size_t rune_count(std::string_view s);

// strconv.Quote: a double-quoted Go string literal.
std::string go_quote(std::string_view s);

// fmt.Sprintf over verbs %v %s %d %q %x %X %f %e %g %t %c %% with flags (- + 0
// space), width and precision; a missing argument is nullopt (Go's invalid value).
// Mistakes print as Go prints them: %!d(string=abc), %!s(MISSING), %!(EXTRA ...).
std::string go_sprintf(std::string_view format, const std::vector<std::optional<nlohmann::json>>& args);

}  // namespace berth::cli

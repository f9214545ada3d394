// The rows `network ls` prints for GET /networks, with the field names docker's
// network formatter gives --format templates.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/json.hpp"

namespace berth::cli {

// Rows with ID, Name, Driver, Scope, IPv6, Internal, Labels, Label (a map:
// `{{.Label "k"}}`) and CreatedAt, sorted by name in natural order as docker's
// (net2 before net10). IDs cut to 12 characters unless `no_trunc`.
std::vector<Json> network_rows(const Json& networks, bool no_trunc);

// The default table of `network ls`.
inline constexpr const char* kNetworkTableFormat =
    "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

// Column titles by field name (ID -> "NETWORK ID").
const std::map<std::string, std::string>& network_headers();

// Go's time.Time.String() of an RFC 3339 time: "2024-01-02 03:04:05.5 +0000 UTC"
// (fraction without trailing zeros); the text itself when it does not parse.
std::string go_time_text(const std::string& rfc3339);

// sortorder.NaturalLess: digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace berth::cli

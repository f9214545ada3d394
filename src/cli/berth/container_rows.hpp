// The rows `ps` prints for GET /containers/json, with the field names docker's
// container formatter gives --format templates.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"

namespace berth::cli {

struct ContainerRowOptions {
    bool no_trunc = false;
    std::int64_t now = 0;  // unix seconds, for RunningFor
};

// Rows with ID, Image, Command, CreatedAt, RunningFor, Ports, State, Status, Size,
// Names, Labels, Label (a map: `{{.Label "k"}}`), Mounts, LocalVolumes, Networks.
std::vector<Json> container_rows(const Json& containers, const ContainerRowOptions& options);

// docker's DisplayablePorts: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive ports
// grouped into ranges.
std::string displayable_ports(const Json& ports);

// strconv.Quote of the command, cut to 20 columns with "…" unless no_trunc.
std::string quoted_command(std::string_view command, bool no_trunc);

// The default table of `ps` (a SIZE column with -s).
std::string ps_table_format(bool size);

// Column titles by field name (ID -> "CONTAINER ID").
const std::map<std::string, std::string>& container_headers();

}  // namespace berth::cli

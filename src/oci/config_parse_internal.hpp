// The config parser's sections, one per file, shared between those files only.
// Each takes the section's JSON object (already checked to be an object) and
// reports errors by the JSON path carried in the node.
#pragma once

#include "oci/config.hpp"
#include "oci/json_reader.hpp"

namespace berth::oci::detail {

Result<Process> parse_process_object(const JsonNode& n);      // config_parse_process.cpp
Result<Linux> parse_linux_object(const JsonNode& n);          // config_parse_linux.cpp
Result<Resources> parse_resources_object(const JsonNode& n);  // config_parse_resources.cpp
Result<Seccomp> parse_seccomp_object(const JsonNode& n);      // config_parse_seccomp.cpp

Json linux_to_json(const Linux& l);          // config_to_json_linux.cpp
Json resources_to_json(const Resources& r);  // config_to_json_linux.cpp
Json seccomp_to_json(const Seccomp& s);      // config_to_json_linux.cpp

}  // namespace berth::oci::detail

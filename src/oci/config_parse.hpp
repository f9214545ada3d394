// config.json -> oci::Config, with validation. Each error names the field by its
// JSON path ("process.args: must be a non-empty array of strings",
// "linux.namespaces[2].type: unknown namespace \"pdi\"").
#pragma once

#include <string>
#include <string_view>

#include "base/json.hpp"
#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::oci {

Result<Config> parse_config(const Json& j);
Result<Config> parse_config_text(std::string_view text);
// Reads <bundle>/config.json ("bundle /x: open config.json: No such file...").
Result<Config> load_bundle_config(const std::string& bundle);

// Checks what the runtime needs beyond types: root.path present, absolute mount
// destinations and hook paths, namespaces known and not duplicated, user namespace
// mappings present when a user namespace is created, process present when
// `need_process`. Runs as part of parse_config (with need_process=false).
Result<void> validate_config(const Config& c, bool need_process);

// The checks validate_config applies to config.json's "process" (args present,
// cwd absolute, capability and rlimit names known, ...); errors say "process.<field>".
Result<void> validate_process(const Process& p);

// process.json for `exec --process`: the same "process" object alone, type-checked
// and validated with validate_process; errors say "process.<field>".
Result<Process> parse_process(const Json& j);

// oci::Config -> JSON, as the runtime-spec spells it (round-trips parse_config).
Json to_json(const Config& c);
Json to_json(const Process& p);

}  // namespace berth::oci

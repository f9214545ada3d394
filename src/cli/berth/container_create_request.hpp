// `berth run` / `berth create` flags as docker 20.10 has them, and their conversion
// into the body of POST /containers/create: the Config fields at the top level,
// HostConfig and NetworkingConfig (Docker Engine API 1.41, ContainerCreate).
#pragma once

#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "cli/berth/container_opts.hpp"
#include "cli/flags/flags.hpp"

namespace berth::cli {

// The flags `create` takes; `run` adds -d, --sig-proxy and --detach-keys.
std::vector<FlagDef> container_create_flags(bool for_run);

struct CreateRequest {
    Json body;             // the request body
    std::string name;      // --name ("" lets the daemon choose)
    std::string platform;  // --platform ("" for none)
    std::string image;     // the IMAGE argument
};

// Converts parsed flags (args: IMAGE [COMMAND] [ARG...]) into the create request.
// With `for_run` and without -d the streams to attach are set as `docker run`
// sets them (stdout and stderr unless -a says otherwise, stdin with -i, StdinOnce).
// Errors are docker's for the bad value ("invalid argument \"x\" for \"-m, --memory\"
// flag: invalid size: 'x'", "Invalid containerPort: x", "Conflicting options: ...").
Result<CreateRequest> container_create_request(const ParsedFlags& flags, const EnvLookup& env,
                                               bool for_run);

// The checks docker's flag types make while parsing (bytes, --cpus, --ulimit,
// --mount, --device, the blkio lists, -a): their errors are usage errors.
Result<void> check_create_flags(const ParsedFlags& flags);

// The value of a "bytes" flag (--memory "512m") in pflag's error words.
Result<std::int64_t> bytes_flag(const ParsedFlags& flags, const std::string& name,
                                std::string_view title);

}  // namespace berth::cli

// Short constructors for flag tables (FlagDef's designated initializers spelled
// once): str("hostname", "Container host name", 'h'), list(...), ...
#pragma once

#include <string>
#include <utility>

#include "cli/flags/flags.hpp"

namespace berth::cli::flag {

inline FlagDef boolean(std::string name, std::string help, char short_name = 0, std::string default_value = {}) {
    return {.long_name = std::move(name),
            .short_name = short_name,
            .default_value = std::move(default_value),
            .help = std::move(help)};
}
inline FlagDef str(std::string name, std::string help, char short_name = 0, std::string default_value = {}) {
    return {.long_name = std::move(name),
            .short_name = short_name,
            .kind = FlagDef::String,
            .default_value = std::move(default_value),
            .help = std::move(help)};
}
inline FlagDef list(std::string name, std::string help, char short_name = 0, std::string type_name = {},
                    std::string default_value = {}) {
    return {.long_name = std::move(name),
            .short_name = short_name,
            .kind = FlagDef::StringList,
            .default_value = std::move(default_value),
            .help = std::move(help),
            .type_name = std::move(type_name)};
}
inline FlagDef typed(std::string name, std::string help, std::string type_name, char short_name = 0,
                     std::string default_value = {}) {
    return {.long_name = std::move(name),
            .short_name = short_name,
            .kind = FlagDef::String,
            .default_value = std::move(default_value),
            .help = std::move(help),
            .type_name = std::move(type_name)};
}
inline FlagDef integer(std::string name, std::string help, char short_name = 0, std::string default_value = {}) {
    return {.long_name = std::move(name),
            .short_name = short_name,
            .kind = FlagDef::Int,
            .default_value = std::move(default_value),
            .help = std::move(help)};
}

}  // namespace berth::cli::flag

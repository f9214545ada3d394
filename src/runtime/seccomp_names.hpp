// Seccomp names in config.json -> libseccomp values. Internal to process_security.
#pragma once

#include <seccomp.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace berth::runtime {

// "SCMP_ARCH_X86_64" -> token. nullopt for a name the spec lists but this
// libseccomp can't build filters for (0 is returned as nullopt too); use
// is_spec_seccomp_architecture to tell "unknown" from "unsupported here".
std::optional<uint32_t> seccomp_architecture_token(std::string_view name);
bool is_spec_seccomp_architecture(std::string_view name);

// "SCMP_CMP_EQ" -> SCMP_CMP_EQ.
std::optional<scmp_compare> seccomp_operator(std::string_view name);

// The libseccomp action for an action name and its errnoRet (ERRNO and TRACE carry
// a 16-bit value; EPERM when unset, as runc does).
std::optional<uint32_t> seccomp_action(std::string_view name, std::optional<uint32_t> errno_ret);

// The filter attribute a SECCOMP_FILTER_FLAG_* name maps to.
std::optional<scmp_filter_attr> seccomp_flag_attribute(std::string_view name);

}  // namespace berth::runtime

// Capability names and the calls that change a process's capability sets. Internal
// to process_security: callers outside use process_security.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

// "CAP_SYS_ADMIN" -> 21; nullopt for a name this build doesn't know.
std::optional<int> capability_number(std::string_view name);
// 21 -> "CAP_SYS_ADMIN"; empty for a number past the table.
std::string_view capability_name(int number);
// The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap).
int kernel_last_capability();

// A capability set as the kernel's 64-bit mask (bit n = capability n).
struct CapabilitySets {
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};
// Converts names to masks; names the kernel doesn't know are skipped with a
// warning (runc does the same so one config works across kernels).
Result<CapabilitySets> capability_sets(const oci::Capabilities& caps);

// Drops every capability not in `keep` from the bounding set (needs CAP_SETPCAP).
Result<void> drop_bounding_set(uint64_t keep);
// capset(2) effective/permitted/inheritable exactly as given.
Result<void> set_capabilities(const CapabilitySets& sets);
// Clears the ambient set and raises each capability of `ambient`.
Result<void> set_ambient(uint64_t ambient);
// The calling thread's effective/permitted/inheritable sets (capget(2)).
Result<CapabilitySets> current_capabilities();

}  // namespace berth::runtime

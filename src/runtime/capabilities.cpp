#include "runtime/capabilities.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "runtime/process_security.hpp"
#include "base/text.hpp"

namespace berth::runtime {
namespace {

// Indexed by capability number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE.
constexpr std::array<std::string_view, 41> capability_table = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
static_assert(capability_table.size() == CAP_CHECKPOINT_RESTORE + 1);

}  // namespace

std::optional<int> capability_number(std::string_view name) {
    auto it = std::ranges::find(capability_table, name);
    if (it == capability_table.end()) return std::nullopt;
    return static_cast<int>(it - capability_table.begin());
}

std::string_view capability_name(int number) {
    if (number < 0 || number >= static_cast<int>(capability_table.size())) return {};
    return capability_table[static_cast<size_t>(number)];
}

bool is_known_capability(std::string_view name) {
    return capability_number(name).has_value();
}

std::vector<std::string> known_capabilities() {
    return {capability_table.begin(), capability_table.end()};
}

int kernel_last_capability() {
    // Read once: the value is fixed for the kernel's lifetime.
    static const int last = [] {
        auto text = read_file("/proc/sys/kernel/cap_last_cap");
        if (text) {
            if (auto n = parse_int(trim(*text)); n && *n >= 0 && *n < 64)
                return static_cast<int>(*n);
        }
        return static_cast<int>(CAP_LAST_CAP);
    }();
    return last;
}

Result<CapabilitySets> capability_sets(const oci::Capabilities& caps) {
    CapabilitySets sets;
    const int last = kernel_last_capability();
    auto to_mask = [&](const std::vector<std::string>& names, std::string_view field,
                       uint64_t& mask) -> Result<void> {
        for (auto& name : names) {
            auto n = capability_number(name);
            if (!n)
                return fail(
                    cat("process.capabilities.", field, ": unknown capability ", quoted(name)));
            if (*n > last) {
                log::warn(cat("capability ", name, " is unknown to the running kernel; skipped"));
                continue;
            }
            mask |= uint64_t{1} << *n;
        }
        return {};
    };
    BERTH_TRYV(to_mask(caps.bounding, "bounding", sets.bounding));
    BERTH_TRYV(to_mask(caps.effective, "effective", sets.effective));
    BERTH_TRYV(to_mask(caps.permitted, "permitted", sets.permitted));
    BERTH_TRYV(to_mask(caps.inheritable, "inheritable", sets.inheritable));
    BERTH_TRYV(to_mask(caps.ambient, "ambient", sets.ambient));
    return sets;
}

Result<void> drop_bounding_set(uint64_t keep) {
    const int last = kernel_last_capability();
    for (int cap = 0; cap <= last; ++cap) {
        if (keep & (uint64_t{1} << cap)) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            return sys_fail(cat("drop ", capability_name(cap), " from the bounding set"));
    }
    return {};
}

Result<void> set_capabilities(const CapabilitySets& sets) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    // Version 3 splits each 64-bit set into two 32-bit words.
    __user_cap_data_struct data[2] = {};
    for (int i = 0; i < 2; ++i) {
        const unsigned shift = 32u * static_cast<unsigned>(i);
        data[i].effective = static_cast<uint32_t>(sets.effective >> shift);
        data[i].permitted = static_cast<uint32_t>(sets.permitted >> shift);
        data[i].inheritable = static_cast<uint32_t>(sets.inheritable >> shift);
    }
    if (::syscall(SYS_capset, &header, data) != 0) return sys_fail("capset");
    return {};
}

Result<void> set_ambient(uint64_t ambient) {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        return sys_fail("clear the ambient capability set");
    const int last = kernel_last_capability();
    for (int cap = 0; cap <= last; ++cap) {
        if (!(ambient & (uint64_t{1} << cap))) continue;
        // The kernel refuses unless the capability is both permitted and inheritable.
        // runc carries on then, quietly (`runc spec` itself lists ambient without
        // inheritable), so a container that runs under runc runs here too; the
        // skip is logged at debug level (--debug).
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            log::debug(cat("process.capabilities.ambient: cannot raise ", capability_name(cap),
                          " (it must be permitted and inheritable): ", std::strerror(errno)));
    }
    return {};
}

Result<CapabilitySets> current_capabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capget, &header, data) != 0) return sys_fail("capget");
    CapabilitySets sets;
    for (int i = 0; i < 2; ++i) {
        const unsigned shift = 32u * static_cast<unsigned>(i);
        sets.effective |= uint64_t{data[i].effective} << shift;
        sets.permitted |= uint64_t{data[i].permitted} << shift;
        sets.inheritable |= uint64_t{data[i].inheritable} << shift;
    }
    return sets;
}

}  // namespace berth::runtime

// Mounts over /proc are a way out: a bind over /proc/sys/kernel/core_pattern or
// /proc/self/attr would hand the container control of host-wide knobs or of its
// own confinement (CVE-2019-16884, CVE-2019-19921). Like runc, only procfs itself
// may go on /proc, and beneath it only the files lxcfs-style tools replace.
#include <linux/magic.h>
#include <sys/statfs.h>

#include <array>
#include <string_view>

#include "runtime/rootfs_steps.hpp"

namespace berth::runtime {
namespace {

constexpr std::array<std::string_view, 10> kReplaceable{
    "/proc/cpuinfo", "/proc/diskstats",
    "/proc/meminfo", "/proc/stat",
    "/proc/swaps",   "/proc/uptime",
    "/proc/loadavg", "/proc/slabinfo",
    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

bool is_procfs(const std::string& path) {
    struct statfs sf {};
    return ::statfs(path.c_str(), &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

}  // namespace

Result<void> check_proc_destination(const std::string& resolved, const std::string& type,
                                    const std::string& bind_source) {
    if (resolved == "/proc") {
        if (type == "proc" || (!bind_source.empty() && is_procfs(bind_source))) return {};
        return fail("only a proc filesystem may be mounted on /proc");
    }
    if (!resolved.starts_with("/proc/")) return {};
    for (auto allowed : kReplaceable)
        if (resolved == allowed) return {};
    return fail(resolved + " is inside /proc, where mounts are not allowed");
}

}  // namespace berth::runtime

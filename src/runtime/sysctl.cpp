// linux.sysctl (config-linux.md "Sysctl"): "net.ipv4.ip_forward" is the file
// /proc/sys/net/ipv4/ip_forward in the container's /proc.
#include <algorithm>

#include "base/file.hpp"
#include "runtime/rootfs.hpp"

namespace berth::runtime {
namespace {

// Keys are dotted, or slashed when a component holds a dot itself
// ("net/ipv4/conf/eth0.100/forwarding", as sysctl(8) accepts); either way they
// must name a file below /proc/sys and nothing else.
Result<std::string> sysctl_file(const std::string& key) {
    if (key.empty() || key.front() == '.' || key.front() == '/' ||
        key.find("..") != std::string::npos)
        return fail("invalid key");
    std::string rel = key;
    if (rel.find('/') == std::string::npos) std::replace(rel.begin(), rel.end(), '.', '/');
    if (rel.find("//") != std::string::npos || rel.back() == '/') return fail("invalid key");
    return "/proc/sys/" + rel;
}

}  // namespace

Result<void> apply_sysctl(const std::map<std::string, std::string>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        auto file = sysctl_file(key);
        if (!file) return std::unexpected(std::move(file.error()).context("sysctl " + key));
        BERTH_TRYV_CTX(write_existing(*file, value), "sysctl " + key);
    }
    return {};
}

}  // namespace berth::runtime

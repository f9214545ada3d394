#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "runtime/process_security.hpp"
#include "base/text.hpp"

namespace berth::runtime {
namespace {

// Every resource setrlimit(2) accepts, by the name config.json uses.
constexpr std::array<std::pair<std::string_view, int>, 16> rlimit_table = {{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

std::optional<int> rlimit_resource(std::string_view name) {
    auto it = std::ranges::find(rlimit_table, name, &std::pair<std::string_view, int>::first);
    if (it == rlimit_table.end()) return std::nullopt;
    return it->second;
}

}  // namespace

bool is_known_rlimit(std::string_view name) {
    return rlimit_resource(name).has_value();
}

Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
    for (auto& r : rlimits) {
        auto resource = rlimit_resource(r.type);
        if (!resource) return fail(cat("process.rlimits: unknown rlimit ", quoted(r.type)));
        // RLIM_INFINITY is ~0, which is how config.json spells "unlimited" too.
        const struct rlimit value { static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard) };
        if (::setrlimit(static_cast<__rlimit_resource_t>(*resource), &value) != 0)
            return sys_fail(cat("set ", r.type, " to soft ", r.soft, " hard ", r.hard));
    }
    return {};
}

}  // namespace berth::runtime

// HostConfig Resources validation (dockerd's verifyPlatformContainerResources).
#include <sched.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "engine/container_settings_internal.hpp"
#include "engine/mount_specs.hpp"
#include "runtime/process_security.hpp"

namespace berth::engine::detail {

namespace {

constexpr long long kMinMemory = 6 * 1024 * 1024;  // dockerd's linuxMinMemory
constexpr long long kMinCpuShares = 2, kMaxCpuShares = 262144;

long long int_of(const Json& h, const char* k) {
    return h[k].is_number_integer() ? h[k].get<long long>() : 0;
}

// "0-3,7" -> the set of numbers; nullopt when malformed.
std::optional<std::vector<long>> parse_cpuset(std::string_view text) {
    std::vector<long> out;
    for (auto& part : split(trim(text), ',')) {
        auto dash = part.find('-');
        auto lo = parse_int(part.substr(0, dash));
        auto hi = dash == std::string::npos ? lo : parse_int(part.substr(dash + 1));
        if (!lo || !hi || *lo < 0 || *hi < *lo || *hi > 8192) return std::nullopt;
        for (long i = *lo; i <= *hi; ++i) out.push_back(i);
    }
    return out;
}

std::string first_readable(std::initializer_list<const char*> paths, std::string fallback) {
    for (auto* p : paths)
        if (auto t = read_file(p); t && !trim(*t).empty()) return std::string(trim(*t));
    return fallback;
}

Result<void> validate_memory(const Json& h, bool update) {
    long long memory = int_of(h, "Memory"), swap = int_of(h, "MemorySwap");
    long long reservation = int_of(h, "MemoryReservation");
    if (memory != 0 && memory < kMinMemory) return invalid("Minimum memory limit allowed is 6MB");
    if (memory > 0 && swap > 0 && swap < memory)
        return invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
    if (memory == 0 && swap > 0 && !update)
        return invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
    if (h["MemorySwappiness"].is_number_integer()) {
        long long s = h["MemorySwappiness"];
        if (s < -1 || s > 100)
            return invalid("Invalid value: " + std::to_string(s) +
                           ", valid memory swappiness range is 0-100");
    }
    if (memory > 0 && reservation > 0 && memory < reservation)
        return invalid("Minimum memory limit can not be less than memory reservation limit, see usage");
    if (reservation != 0 && reservation < kMinMemory)
        return invalid("Minimum memory reservation allowed is 6MB");
    if (int_of(h, "KernelMemory") != 0 && int_of(h, "KernelMemory") < kMinMemory)
        return invalid("Minimum kernel memory limit allowed is 6MB");
    return {};
}

Result<void> validate_cpu(Json& h, HostChecks checks, std::vector<std::string>& warnings) {
    long long nano = int_of(h, "NanoCpus"), period = int_of(h, "CpuPeriod"), quota = int_of(h, "CpuQuota");
    if (nano > 0 && period > 0)
        return invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
    if (nano > 0 && quota > 0)
        return invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
    if (checks == HostChecks::on) {
        long long n = host_cpu_count();
        if (nano < 0 || nano > n * 1'000'000'000LL)
            return invalid("Range of CPUs is from 0.01 to " + std::to_string(n) + ".00, as there are only " +
                           std::to_string(n) + " CPUs available");
    } else if (nano < 0) {
        return invalid("invalid CPU value: NanoCpus must not be negative");
    }
    if (period != 0 && (period < 1000 || period > 1000000))
        return invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    if (quota > 0 && quota < 1000) return invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
    long long shares = int_of(h, "CpuShares");
    if (shares < 0)
        return invalid("invalid CPU shares (" + std::to_string(shares) + "): must not be negative");
    if (shares > 0 && shares < kMinCpuShares) {
        warnings.push_back("Your kernel does not support CPU shares below 2. Shares set to 2.");
        h["CpuShares"] = kMinCpuShares;
    } else if (shares > kMaxCpuShares) {
        warnings.push_back("Your kernel does not support CPU shares above 262144. Shares set to 262144.");
        h["CpuShares"] = kMaxCpuShares;
    }
    if (int_of(h, "CpuRealtimePeriod") != 0 || int_of(h, "CpuRealtimeRuntime") != 0)
        return invalid("Your kernel does not support CPU real-time scheduler (berth does not set it)");
    return validate_cpusets(h, checks);
}

Result<void> validate_blkio(const Json& h) {
    long long weight = int_of(h, "BlkioWeight");
    if (weight > 0 && (weight < 10 || weight > 1000)) return invalid("Range of blkio weight is from 10 to 1000");
    if (weight < 0) return invalid("Range of blkio weight is from 10 to 1000");
    auto check_devices = [&](const char* key, const char* value_key) -> Result<void> {
        if (!h[key].is_array()) return {};
        for (auto& d : h[key]) {
            if (!d.is_object() || !d.contains("Path") || !d["Path"].is_string() ||
                !d["Path"].get<std::string>().starts_with('/'))
                return invalid(std::string("invalid ") + key + " entry: needs an absolute Path");
            if (!d.contains(value_key) || !d[value_key].is_number_integer() || d[value_key].get<long long>() < 0)
                return invalid(std::string("invalid ") + key + " entry for " + d["Path"].get<std::string>() +
                               ": " + value_key + " must be a non-negative integer");
            if (std::string_view(key) == "BlkioWeightDevice") {
                long long w = d[value_key];
                if (w != 0 && (w < 10 || w > 1000))
                    return invalid("invalid BlkioWeightDevice for " + d["Path"].get<std::string>() +
                                   ": Range of blkio weight is from 10 to 1000");
            }
        }
        return {};
    };
    BERTH_TRYV(check_devices("BlkioWeightDevice", "Weight"));
    for (auto* k : {"BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"})
        BERTH_TRYV(check_devices(k, "Rate"));
    return {};
}

Result<void> validate_ulimits(const Json& list) {
    if (!list.is_array()) return {};
    for (auto& u : list) {
        if (!u.is_object() || !u.contains("Name") || !u["Name"].is_string())
            return invalid("invalid ulimit: needs a Name");
        std::string name = u["Name"];
        std::string upper = name;
        std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
        if (!runtime::is_known_rlimit("RLIMIT_" + upper)) return invalid("invalid ulimit type: " + name);
        auto get = [&](const char* k) -> std::optional<long long> {
            if (!u.contains(k) || !u[k].is_number_integer()) return std::nullopt;
            return u[k].get<long long>();
        };
        auto soft = get("Soft"), hard = get("Hard");
        if (!soft || !hard) return invalid("invalid ulimit " + name + ": Soft and Hard must be integers");
        if (*soft > *hard && *hard != -1)
            return invalid("ulimit soft limit must be less than or equal to hard limit: " +
                           std::to_string(*soft) + " > " + std::to_string(*hard));
    }
    return {};
}

Result<void> validate_devices(const Json& h) {
    if (h["Devices"].is_array())
        for (auto& d : h["Devices"]) BERTH_TRY(parse_device_mapping(d));
    if (h["DeviceCgroupRules"].is_array())
        for (auto& r : h["DeviceCgroupRules"]) BERTH_TRY(parse_device_cgroup_rule(r.get<std::string>()));
    if (h["DeviceRequests"].is_array() && !h["DeviceRequests"].empty())
        return invalid("could not select device driver \"\" with capabilities: [[gpu]] (DeviceRequests are not supported)");
    return {};
}

}  // namespace

Result<void> validate_cpusets(const Json& h, HostChecks checks) {
    auto check = [&](const char* key, const std::string& available, const char* what) -> Result<void> {
        std::string requested = h[key];
        if (requested.empty()) return {};
        auto within = cpuset_within(requested, available);
        if (!within) return invalid("Invalid value " + requested + " for cpuset " + what);
        if (checks == HostChecks::on && !*within) {
            if (std::string_view(what) == "cpus")
                return invalid("Requested CPUs are not available - requested " + requested +
                               ", available: " + available);
            return invalid("Requested memory nodes are not available - requested " + requested +
                           ", available: " + available);
        }
        return {};
    };
    BERTH_TRYV(check("CpusetCpus", host_cpuset_cpus(), "cpus"));
    return check("CpusetMems", host_cpuset_mems(), "mems");
}

std::optional<bool> cpuset_within(std::string_view requested, std::string_view available) {
    auto want = parse_cpuset(requested);
    if (!want) return std::nullopt;
    auto have = parse_cpuset(available).value_or(std::vector<long>{});
    return std::ranges::all_of(*want, [&](long c) { return std::ranges::find(have, c) != have.end(); });
}

std::string host_cpuset_cpus() {
    return first_readable({"/sys/fs/cgroup/cpuset.cpus.effective", "/sys/fs/cgroup/cpuset/cpuset.effective_cpus",
                           "/sys/fs/cgroup/cpuset/cpuset.cpus", "/sys/devices/system/cpu/online"},
                          "0");
}

std::string host_cpuset_mems() {
    return first_readable({"/sys/fs/cgroup/cpuset.mems.effective", "/sys/fs/cgroup/cpuset/cpuset.effective_mems",
                           "/sys/fs/cgroup/cpuset/cpuset.mems", "/sys/devices/system/node/online"},
                          "0");
}

// As Go's runtime.NumCPU, which dockerd uses: the CPUs this process may run on.
int host_cpu_count() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return std::max(1, CPU_COUNT(&set));
}

Result<void> validate_resources(Json& h, HostChecks checks, bool update, std::vector<std::string>& warnings) {
    BERTH_TRYV(validate_memory(h, update));
    BERTH_TRYV(validate_cpu(h, checks, warnings));
    BERTH_TRYV(validate_blkio(h));
    BERTH_TRYV(validate_ulimits(h["Ulimits"]));
    BERTH_TRYV(validate_devices(h));
    if (h["PidsLimit"].is_number_integer()) {
        // dockerd: 0 means "not set", any negative means unlimited (-1).
        if (h["PidsLimit"].get<long long>() == 0) h["PidsLimit"] = nullptr;
        else if (h["PidsLimit"].get<long long>() < 0) h["PidsLimit"] = -1;
    }
    if (h["OomKillDisable"].get<bool>() && int_of(h, "Memory") == 0)
        warnings.push_back("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.");
    return {};
}

}  // namespace berth::engine::detail

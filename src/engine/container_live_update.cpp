// Docker's toContainerdResources (daemon/update_linux.go) in effect: only what
// the update sets is written; the rest of the cgroup is left as it is.
#include "engine/container_live_update.hpp"

#include <cstdint>

#include "runtime/cgroup.hpp"
#include "runtime/state.hpp"

namespace berth::engine {

namespace {

std::int64_t int_of(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return 0;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_number()) return static_cast<std::int64_t>(it->get<double>());
    return 0;
}

std::string string_of(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool is_set(const Json& body, const char* key) {
    return int_of(body, key) != 0;
}

// CFS period docker uses for NanoCpus (100 ms).
constexpr std::int64_t kDefaultCfsPeriodUs = 100'000;

std::optional<oci::MemoryResources> memory_update(const Json& body, const Json& hc) {
    bool limit_set = is_set(body, "Memory"), swap_set = is_set(body, "MemorySwap");
    bool reservation_set = is_set(body, "MemoryReservation");
    if (!limit_set && !swap_set && !reservation_set) return std::nullopt;
    oci::MemoryResources m;
    std::int64_t limit = int_of(hc, "Memory"), swap = int_of(hc, "MemorySwap");
    if (limit_set || swap_set) {
        if (limit != 0) m.limit = limit;
        // Memory alone: swap as docker run -m sets it (twice the memory), so a
        // raise above the old memory+swap limit is not refused by the kernel.
        if (swap != 0)
            m.swap = swap;
        else if (limit > 0)
            m.swap = limit * 2;
    }
    if (reservation_set) m.reservation = int_of(hc, "MemoryReservation");
    return m;
}

std::optional<oci::CpuResources> cpu_update(const Json& body, const Json& hc) {
    oci::CpuResources c;
    bool any = false;
    if (is_set(body, "CpuShares")) {
        c.shares = static_cast<std::uint64_t>(int_of(hc, "CpuShares"));
        any = true;
    }
    if (is_set(body, "NanoCpus") || is_set(body, "CpuQuota") || is_set(body, "CpuPeriod")) {
        if (auto nano = int_of(hc, "NanoCpus"); nano > 0) {
            c.period = kDefaultCfsPeriodUs;
            c.quota = nano * kDefaultCfsPeriodUs / 1'000'000'000;
        } else {
            auto quota = int_of(hc, "CpuQuota"), period = int_of(hc, "CpuPeriod");
            c.quota = quota > 0 ? quota : -1;
            c.period = static_cast<std::uint64_t>(period > 0 ? period : kDefaultCfsPeriodUs);
        }
        any = true;
    }
    if (!string_of(body, "CpusetCpus").empty()) {
        c.cpus = string_of(hc, "CpusetCpus");
        any = true;
    }
    if (!string_of(body, "CpusetMems").empty()) {
        c.mems = string_of(hc, "CpusetMems");
        any = true;
    }
    if (!any) return std::nullopt;
    return c;
}

}  // namespace

oci::Resources update_resources(const Json& body, const Json& host_config) {
    static const Json empty = Json::object();
    const Json& hc = host_config.is_object() ? host_config : empty;
    oci::Resources r;
    if (!body.is_object()) return r;
    r.memory = memory_update(body, hc);
    r.cpu = cpu_update(body, hc);
    if (auto it = body.find("PidsLimit"); it != body.end() && !it->is_null()) {
        // 0 and negative values lift the limit (PidsResources: <= 0 is "max").
        r.pids = oci::PidsResources{int_of(hc, "PidsLimit")};
    }
    if (is_set(body, "BlkioWeight")) {
        oci::BlockIoResources b;
        b.weight = static_cast<std::uint16_t>(int_of(hc, "BlkioWeight"));
        r.block_io = b;
    }
    return r;
}

Result<void> apply_live_update(const std::string& runtime_root, const std::string& id,
                               const Json& body, const Json& host_config) {
    auto resources = update_resources(body, host_config);
    if (resources == oci::Resources{}) return {};
    auto applied = [&]() -> Result<void> {
        auto state = BERTH_TRY(runtime::load_state(runtime_root, id));
        auto cg = BERTH_TRY(runtime::open_cgroup(state.cgroups_path, id));
        return cg->apply(resources);
    }();
    if (!applied)
        return std::unexpected(std::move(applied.error()).context("Cannot update container " + id));
    return {};
}

}  // namespace berth::engine

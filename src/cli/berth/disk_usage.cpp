#include "cli/berth/disk_usage.hpp"

#include <cstdint>
#include <string>

#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

std::int64_t num(const Json& obj, const char* key, std::int64_t fallback = 0) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number() ? it->get<std::int64_t>() : fallback;
}

Json list(const Json& df, const char* key) {
    auto it = df.find(key);
    return it != df.end() && it->is_array() ? *it : Json::array();
}

// "12MB (50%)", or the size alone when there is nothing at all.
std::string reclaimable(std::int64_t bytes, std::int64_t total) {
    std::string s = human_size(static_cast<double>(bytes));
    return total > 0 ? s + " (" + std::to_string(bytes * 100 / total) + "%)" : s;
}

Json row(const char* type, size_t total, int active, std::int64_t size, std::string reclaim) {
    return {{"Type", type},
            {"TotalCount", std::to_string(total)},
            {"Active", std::to_string(active)},
            {"Size", human_size(static_cast<double>(size))},
            {"Reclaimable", std::move(reclaim)}};
}

Json images_row(const Json& df) {
    Json images = list(df, "Images");
    std::int64_t total = num(df, "LayersSize");
    std::int64_t used = 0;
    int active = 0;
    for (const auto& i : images) {
        if (num(i, "Containers") <= 0) continue;
        ++active;
        std::int64_t shared = num(i, "SharedSize", -1), size = num(i, "VirtualSize", num(i, "Size", -1));
        if (shared != -1 && size != -1) used += size - shared;
    }
    return row("Images", images.size(), active, total, reclaimable(total - used, total));
}

Json containers_row(const Json& df) {
    Json containers = list(df, "Containers");
    std::int64_t total = 0, idle = 0;
    int active = 0;
    for (const auto& c : containers) {
        std::int64_t size = num(c, "SizeRw");
        total += size;
        if (c.value("State", "") == "running") ++active;
        else idle += size;
    }
    return row("Containers", containers.size(), active, total, reclaimable(idle, total));
}

Json volumes_row(const Json& df) {
    Json volumes = list(df, "Volumes");
    std::int64_t total = 0, unused = 0;
    int active = 0;
    for (const auto& v : volumes) {
        Json usage = v.value("UsageData", Json::object());
        std::int64_t size = num(usage, "Size", -1);
        bool used = num(usage, "RefCount") > 0;
        active += used ? 1 : 0;
        if (size == -1) continue;  // size not computed for this volume
        total += size;
        if (!used) unused += size;
    }
    return row("Local Volumes", volumes.size(), active, total, reclaimable(unused, total));
}

Json build_cache_row(const Json& df) {
    Json records = list(df, "BuildCache");
    std::int64_t total = 0, in_use = 0;
    int active = 0;
    for (const auto& r : records) {
        if (r.value("Shared", false)) continue;
        std::int64_t size = num(r, "Size");
        total += size;
        if (r.value("InUse", false)) ++active, in_use += size;
    }
    return row("Build Cache", records.size(), active, total, human_size(static_cast<double>(total - in_use)));
}

}  // namespace

std::vector<Json> disk_usage_rows(const Json& df) {
    return {images_row(df), containers_row(df), volumes_row(df), build_cache_row(df)};
}

}  // namespace berth::cli

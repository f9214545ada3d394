// HostConfig Resources as OCI linux.resources, and the device nodes and rules.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstring>

#include "base/file.hpp"
#include "engine/container_settings_internal.hpp"
#include "engine/mount_specs.hpp"
#include "engine/oci_spec_internal.hpp"

namespace berth::engine::detail {

namespace {

constexpr uint64_t kDefaultCpuPeriod = 100000;  // CFS default, what NanoCpus scale to

long long int_of(const Json& h, const char* k) {
    return h.contains(k) && h[k].is_number_integer() ? h[k].get<long long>() : 0;
}

std::optional<oci::MemoryResources> memory_of(const Json& h) {
    oci::MemoryResources m;
    if (int_of(h, "Memory") > 0) m.limit = int_of(h, "Memory");
    if (int_of(h, "MemoryReservation") > 0) m.reservation = int_of(h, "MemoryReservation");
    if (int_of(h, "MemorySwap") != 0) m.swap = int_of(h, "MemorySwap");
    if (h["MemorySwappiness"].is_number_integer() && h["MemorySwappiness"].get<long long>() >= 0)
        m.swappiness = h["MemorySwappiness"].get<uint64_t>();
    if (h["OomKillDisable"].get<bool>()) m.disable_oom_killer = true;
    // KernelMemory is deprecated and ignored, as runc does on cgroup v2.
    if (m == oci::MemoryResources{}) return std::nullopt;
    return m;
}

std::optional<oci::CpuResources> cpu_of(const Json& h) {
    oci::CpuResources c;
    if (int_of(h, "CpuShares") > 0) c.shares = static_cast<uint64_t>(int_of(h, "CpuShares"));
    if (long long nano = int_of(h, "NanoCpus"); nano > 0) {
        c.period = kDefaultCpuPeriod;
        c.quota = nano * static_cast<long long>(kDefaultCpuPeriod) / 1'000'000'000LL;
    }
    if (int_of(h, "CpuPeriod") > 0) c.period = static_cast<uint64_t>(int_of(h, "CpuPeriod"));
    if (int_of(h, "CpuQuota") != 0) c.quota = int_of(h, "CpuQuota");
    c.cpus = h["CpusetCpus"];
    c.mems = h["CpusetMems"];
    if (c == oci::CpuResources{}) return std::nullopt;
    return c;
}

Result<std::optional<oci::BlockIoResources>> block_io_of(const Json& h) {
    oci::BlockIoResources b;
    if (int_of(h, "BlkioWeight") > 0) b.weight = static_cast<uint16_t>(int_of(h, "BlkioWeight"));
    if (h["BlkioWeightDevice"].is_array())
        for (auto& d : h["BlkioWeightDevice"]) {
            auto dev = BERTH_TRY(stat_device(d["Path"].get<std::string>()));
            oci::WeightDevice w;
            w.major = dev.major;
            w.minor = dev.minor;
            w.weight = d["Weight"].get<uint16_t>();
            b.weight_device.push_back(w);
        }
    auto throttles = [&](const char* key, std::vector<oci::ThrottleDevice>& into) -> Result<void> {
        if (!h[key].is_array()) return {};
        for (auto& d : h[key]) {
            auto dev = BERTH_TRY(stat_device(d["Path"].get<std::string>()));
            oci::ThrottleDevice t;
            t.major = dev.major;
            t.minor = dev.minor;
            t.rate = d["Rate"].get<uint64_t>();
            into.push_back(t);
        }
        return {};
    };
    BERTH_TRYV(throttles("BlkioDeviceReadBps", b.throttle_read_bps_device));
    BERTH_TRYV(throttles("BlkioDeviceWriteBps", b.throttle_write_bps_device));
    BERTH_TRYV(throttles("BlkioDeviceReadIOps", b.throttle_read_iops_device));
    BERTH_TRYV(throttles("BlkioDeviceWriteIOps", b.throttle_write_iops_device));
    if (b == oci::BlockIoResources{}) return std::optional<oci::BlockIoResources>();
    return std::optional(std::move(b));
}

oci::DeviceRule allow(const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                      const char* access) {
    return oci::DeviceRule{true, type, major, minor, access};
}

// runc's AllowedDevices, which dockerd relies on: mknod of anything, and the
// standard character devices.
std::vector<oci::DeviceRule> default_device_rules() {
    return {
        oci::DeviceRule{false, "", std::nullopt, std::nullopt, "rwm"},
        allow("c", std::nullopt, std::nullopt, "m"),
        allow("b", std::nullopt, std::nullopt, "m"),
        allow("c", 1, 3, "rwm"),            // /dev/null
        allow("c", 1, 8, "rwm"),            // /dev/random
        allow("c", 1, 7, "rwm"),            // /dev/full
        allow("c", 5, 0, "rwm"),            // /dev/tty
        allow("c", 1, 5, "rwm"),            // /dev/zero
        allow("c", 1, 9, "rwm"),            // /dev/urandom
        allow("c", 136, std::nullopt, "rwm"),  // /dev/pts/*
        allow("c", 5, 2, "rwm"),            // /dev/ptmx
        allow("c", 10, 200, "rwm"),         // /dev/net/tun
    };
}

oci::Device node_of(const DeviceNumber& d, std::string path) {
    oci::Device n;
    n.type = d.type;
    n.path = std::move(path);
    n.major = d.major;
    n.minor = d.minor;
    n.file_mode = d.mode;
    n.uid = d.uid;
    n.gid = d.gid;
    return n;
}

// Every device node under /dev, as dockerd's privileged mode passes them on
// (devices.HostDevices), skipping the per-container filesystems.
void collect_host_devices(const std::string& dir, std::vector<oci::Device>& out) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    static const std::vector<std::string> skip = {"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"};
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir + "/" + name;
        if (e->d_type == DT_DIR) {
            if (std::ranges::find(skip, name) == skip.end()) collect_host_devices(path, out);
            continue;
        }
        if (path == "/dev/console") continue;
        if (auto dev = stat_device(path)) out.push_back(node_of(*dev, path));
    }
    ::closedir(d);
}

}  // namespace

Result<DeviceNumber> stat_device(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0)
        return std::unexpected(
            Error{errno, "error gathering device information while adding custom device \"" + path + "\": " +
                             std::strerror(errno), ErrorKind::invalid_argument});
    char type = S_ISCHR(st.st_mode) ? 'c' : S_ISBLK(st.st_mode) ? 'b' : 0;
    if (!type) return invalid("error gathering device information while adding custom device \"" + path + "\": not a device node");
    return DeviceNumber{type, static_cast<int64_t>(major(st.st_rdev)), static_cast<int64_t>(minor(st.st_rdev)),
                        static_cast<uint32_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
}

Result<SpecDevices> spec_devices(const ContainerSettings& s) {
    SpecDevices out;
    out.rules = default_device_rules();
    const Json& h = s.host_config;
    if (s.privileged) {
        collect_host_devices("/dev", out.nodes);
        out.rules.push_back(allow("a", std::nullopt, std::nullopt, "rwm"));
        return out;
    }
    if (h["Devices"].is_array())
        for (auto& d : h["Devices"]) {
            auto mapping = BERTH_TRY(parse_device_mapping(d));
            auto dev = BERTH_TRY(stat_device(mapping.path_on_host));
            out.nodes.push_back(node_of(dev, mapping.path_in_container));
            out.rules.push_back(oci::DeviceRule{true, std::string(1, dev.type), dev.major, dev.minor, mapping.permissions});
        }
    if (h["DeviceCgroupRules"].is_array())
        for (auto& r : h["DeviceCgroupRules"]) out.rules.push_back(BERTH_TRY(parse_device_cgroup_rule(r.get<std::string>())));
    return out;
}

Result<oci::Resources> spec_resources(const Json& h) {
    oci::Resources r;
    r.memory = memory_of(h);
    r.cpu = cpu_of(h);
    if (h["PidsLimit"].is_number_integer()) r.pids = oci::PidsResources{h["PidsLimit"].get<int64_t>()};
    r.block_io = BERTH_TRY(block_io_of(h));
    // Hugepage limits and CpuRealtime* are not carried (validation refuses the latter).
    return r;
}

}  // namespace berth::engine::detail

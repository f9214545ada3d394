// The parts of build_oci_spec, one file each.
#pragma once

#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "engine/oci_spec_builder.hpp"

namespace berth::engine::detail {

// Docker's default mounts, the /etc files, binds, tmpfs and init, in mount order.
Result<std::vector<oci::Mount>> spec_mounts(const ContainerSettings& s, const SpecContext& ctx);

// Device nodes (HostConfig.Devices, or every host device when privileged) and
// the device cgroup rules that go with them.
struct SpecDevices {
    std::vector<oci::Device> nodes;
    std::vector<oci::DeviceRule> rules;
};
Result<SpecDevices> spec_devices(const ContainerSettings& s);

// The cgroup limits of HostConfig's Resources (device rules excepted).
Result<oci::Resources> spec_resources(const Json& host_config);

// major/minor of a host device node; error when not a device.
struct DeviceNumber {
    char type = 'c';
    int64_t major = 0, minor = 0;
    uint32_t mode = 0, uid = 0, gid = 0;
};
Result<DeviceNumber> stat_device(const std::string& path);

}  // namespace berth::engine::detail

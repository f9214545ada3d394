#include "runtime/device_rules.hpp"

namespace berth::runtime {
namespace {

oci::DeviceRule allow(std::string type, std::optional<int64_t> major, std::optional<int64_t> minor,
                      std::string access) {
    oci::DeviceRule r;
    r.allow = true;
    r.type = std::move(type);
    r.major = major;
    r.minor = minor;
    r.access = std::move(access);
    return r;
}

}  // namespace

oci::Resources effective_resources(const oci::Linux& l) {
    oci::Resources r = l.resources ? *l.resources : oci::Resources{};
    const std::optional<int64_t> any;
    for (auto rule :
         {allow("c", any, any, "m"), allow("b", any, any, "m"), allow("c", 1, 3, "rwm"),
          allow("c", 1, 8, "rwm"), allow("c", 1, 7, "rwm"), allow("c", 5, 0, "rwm"),
          allow("c", 1, 5, "rwm"), allow("c", 1, 9, "rwm"), allow("c", 5, 1, "rwm"),
          allow("c", 136, any, "rwm"), allow("c", 5, 2, "rwm"), allow("c", 10, 200, "rwm")})
        r.devices.push_back(rule);
    return r;
}

}  // namespace berth::runtime

#include "runtime/lsm_labels.hpp"

#include "base/file.hpp"
#include "base/log.hpp"

namespace berth::runtime {
namespace {

bool apparmor_enabled() {
    auto v = read_file("/sys/module/apparmor/parameters/enabled");
    return v && !v->empty() && (*v)[0] == 'Y';
}

bool selinux_enabled() {
    return path_exists("/sys/fs/selinux/enforce");
}

// The kernel's per-LSM attr directory (5.1+), else the shared legacy file.
std::string exec_attr(const char* lsm) {
    std::string p = std::string("/proc/self/attr/") + lsm + "/exec";
    return path_exists(p) ? p : "/proc/self/attr/exec";
}

}  // namespace

Result<void> apply_lsm_labels(const oci::Process& p) {
    if (!p.apparmor_profile.empty()) {
        if (apparmor_enabled())
            BERTH_TRYV_CTX(write_existing(exec_attr("apparmor"), "exec " + p.apparmor_profile),
                           "process.apparmorProfile " + p.apparmor_profile);
        else
            log::warn("process.apparmorProfile \"" + p.apparmor_profile +
                      "\" ignored: AppArmor is not enabled on this host");
    }
    if (!p.selinux_label.empty()) {
        if (selinux_enabled())
            BERTH_TRYV_CTX(write_existing(exec_attr("selinux"), p.selinux_label),
                           "process.selinuxLabel " + p.selinux_label);
        else
            log::warn("process.selinuxLabel \"" + p.selinux_label +
                      "\" ignored: SELinux is not enabled on this host");
    }
    return {};
}

}  // namespace berth::runtime

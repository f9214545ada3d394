// What `runc spec` writes, with berth's hostname: a config a user edits rather
// than writes, so it runs a shell in a busybox rootfs as is.
#include "oci/default_spec.hpp"

#include <unistd.h>

#include <algorithm>

#include "oci/config_parse.hpp"

namespace berth::oci {

namespace {

Process default_process() {
    Process p;
    p.terminal = true;
    p.args = {"sh"};
    p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    // cwd stays Process's default, "/".
    const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    Capabilities c;
    c.bounding = c.effective = c.permitted = caps;
    p.capabilities = std::move(c);
    p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
    p.no_new_privileges = true;
    return p;
}

std::vector<Mount> default_mounts() {
    auto m = [](std::string dest, std::string type, std::string src,
                std::vector<std::string> opts) {
        Mount mount;
        mount.destination = std::move(dest);
        mount.type = std::move(type);
        mount.source = std::move(src);
        mount.options = std::move(opts);
        return mount;
    };
    return {
        m("/proc", "proc", "proc", {}),
        m("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        m("/dev/pts", "devpts", "devpts",
          {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        m("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        m("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        m("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        m("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };
}

Linux default_linux() {
    Linux l;
    Resources r;
    // Deny every device in the cgroup; the default devices (null, zero, tty, ...)
    // are allowed by the runtime itself as runc does.
    DeviceRule deny_all;
    deny_all.allow = false;
    deny_all.access = "rwm";
    r.devices = {deny_all};
    l.resources = std::move(r);
    for (auto t : {NamespaceType::pid, NamespaceType::network, NamespaceType::ipc,
                   NamespaceType::uts, NamespaceType::mount, NamespaceType::cgroup})
        l.namespaces.push_back({t, ""});
    l.masked_paths = {"/proc/acpi",
                      "/proc/asound",
                      "/proc/kcore",
                      "/proc/keys",
                      "/proc/latency_stats",
                      "/proc/timer_list",
                      "/proc/timer_stats",
                      "/proc/sched_debug",
                      "/sys/firmware",
                      "/proc/scsi",
                      "/sys/devices/virtual/powercap"};
    l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    return l;
}

void make_rootless(Config& c) {
    auto& l = *c.linux_;
    std::erase_if(l.namespaces, [](const Namespace& ns) {
        return ns.type == NamespaceType::network || ns.type == NamespaceType::cgroup;
    });
    l.namespaces.push_back({NamespaceType::user, ""});
    l.uid_mappings = {{0, static_cast<uint32_t>(::geteuid()), 1}};
    l.gid_mappings = {{0, static_cast<uint32_t>(::getegid()), 1}};
    // Cgroup limits need a delegated cgroup the user may not have.
    l.resources.reset();
    for (auto& m : c.mounts) {
        if (m.destination == "/sys") {
            // Mounting sysfs requires owning the network namespace; the host's
            // /sys bind-mounted read-only is what an unprivileged user can have.
            m.type = "none";
            m.source = "/sys";
            m.options = {"rbind", "nosuid", "noexec", "nodev", "ro"};
            continue;
        }
        // Only the calling user is mapped: gid=5 (tty) would not exist.
        std::erase_if(m.options, [](const std::string& o) {
            return o.starts_with("gid=") || o.starts_with("uid=");
        });
    }
}

}  // namespace

Config default_config(bool rootless) {
    Config c;
    c.oci_version = kOciVersion;
    c.root = Root{"rootfs", true};
    c.process = default_process();
    c.hostname = "berth";
    c.mounts = default_mounts();
    c.linux_ = default_linux();
    if (rootless) make_rootless(c);
    return c;
}

Json default_spec(bool rootless) {
    return to_json(default_config(rootless));
}

}  // namespace berth::oci

// The mount list dockerd gives runc: oci.DefaultSpec's mounts, then the /etc
// files, binds, tmpfs and init, user mounts replacing defaults at the same place.
#include <algorithm>

#include "engine/container_settings_internal.hpp"
#include "engine/mount_specs.hpp"
#include "engine/oci_spec_internal.hpp"

namespace berth::engine::detail {

namespace {

oci::Mount make_mount(std::string dest, std::string type, std::string src, std::vector<std::string> opts) {
    oci::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(src);
    m.options = std::move(opts);
    return m;
}

std::vector<oci::Mount> default_mounts(const Json& h) {
    bool privileged = h["Privileged"];
    std::string ipc = h["IpcMode"];
    std::vector<std::string> sys_opts = {"nosuid", "noexec", "nodev"};
    if (!privileged) sys_opts.push_back("ro");
    std::vector<oci::Mount> out = {
        make_mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
        make_mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        make_mount("/dev/pts", "devpts", "devpts",
                   {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        make_mount("/sys", "sysfs", "sysfs", sys_opts),
        make_mount("/sys/fs/cgroup", "cgroup", "cgroup",
                   privileged ? std::vector<std::string>{"nosuid", "noexec", "nodev", "relatime"}
                              : std::vector<std::string>{"ro", "nosuid", "noexec", "nodev", "relatime"}),
        make_mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
    };
    if (ipc == "host") {
        out.push_back(make_mount("/dev/shm", "bind", "/dev/shm", {"rbind", "rprivate"}));
    } else if (ipc != "none") {
        out.push_back(make_mount("/dev/shm", "tmpfs", "shm",
                                 {"nosuid", "noexec", "nodev", "mode=1777",
                                  "size=" + std::to_string(h["ShmSize"].get<long long>())}));
    }
    return out;
}

oci::Mount bind_mount(const BindSpec& b) {
    std::vector<std::string> opts = {"rbind", b.propagation.empty() ? "rprivate" : b.propagation};
    if (b.read_only) opts.push_back("ro");
    return make_mount(b.destination, "bind", b.source, std::move(opts));
}

Result<std::vector<oci::Mount>> user_mounts(const ContainerSettings& s, const SpecContext& ctx) {
    const Json& h = s.host_config;
    std::vector<oci::Mount> out;
    auto etc_file = [&](const std::string& src, const char* dest) {
        if (src.empty()) return;
        std::vector<std::string> opts = {"rbind", "rprivate"};
        if (s.read_only) opts.push_back("ro");
        out.push_back(make_mount(dest, "bind", src, std::move(opts)));
    };
    etc_file(ctx.resolv_conf_path, "/etc/resolv.conf");
    etc_file(ctx.hostname_path, "/etc/hostname");
    etc_file(ctx.hosts_path, "/etc/hosts");
    if (h["Binds"].is_array())
        for (auto& b : h["Binds"]) out.push_back(bind_mount(BERTH_TRY(parse_bind_spec(b.get<std::string>()))));
    if (h.contains("Mounts") && h["Mounts"].is_array())
        for (auto& m : h["Mounts"]) {
            auto e = BERTH_TRY(parse_mount_entry(m));
            out.push_back(e.tmpfs_options ? make_mount(e.bind.destination, "tmpfs", "tmpfs", *e.tmpfs_options)
                                          : bind_mount(e.bind));
        }
    if (h.contains("Tmpfs") && h["Tmpfs"].is_object())
        for (auto& [dest, opts] : h["Tmpfs"].items())
            out.push_back(make_mount(dest, "tmpfs", "tmpfs", BERTH_TRY(parse_tmpfs_options(dest, opts.get<std::string>()))));
    if (s.init) {
        if (ctx.init_path.empty()) return invalid("--init needs berth-init, which this daemon could not find");
        out.push_back(make_mount("/sbin/docker-init", "bind", ctx.init_path, {"bind", "ro"}));
    }
    return out;
}

std::size_t depth(const std::string& path) {
    return static_cast<std::size_t>(std::ranges::count(path, '/'));
}

}  // namespace

Result<std::vector<oci::Mount>> spec_mounts(const ContainerSettings& s, const SpecContext& ctx) {
    auto mine = BERTH_TRY(user_mounts(s, ctx));
    for (std::size_t i = 0; i < mine.size(); ++i)
        for (std::size_t j = i + 1; j < mine.size(); ++j)
            if (mine[i].destination == mine[j].destination)
                return invalid("Duplicate mount point: " + mine[i].destination);
    auto out = default_mounts(s.host_config);
    std::erase_if(out, [&](const oci::Mount& d) {
        return std::ranges::any_of(mine, [&](const oci::Mount& m) { return m.destination == d.destination; });
    });
    // A read-only rootfs makes the default mounts read-only too, except the ones
    // a program must write to (dockerd's WithMounts).
    if (s.read_only)
        for (auto& m : out) {
            static const std::vector<std::string> writable = {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue"};
            if (std::ranges::find(writable, m.destination) == writable.end() &&
                std::ranges::find(m.options, "ro") == m.options.end())
                m.options.push_back("ro");
        }
    // Parents before children, so /a/b is mounted on the /a just mounted.
    std::ranges::stable_sort(mine, {}, [](const oci::Mount& m) { return depth(m.destination); });
    out.insert(out.end(), mine.begin(), mine.end());
    return out;
}

}  // namespace berth::engine::detail

#include "engine/oci_spec_builder.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "engine/container_settings_internal.hpp"
#include "engine/oci_spec_internal.hpp"
#include "engine/seccomp_profile.hpp"
#include "runtime/capabilities.hpp"
#include "runtime/sysctl_policy.hpp"

namespace berth::engine {

using detail::invalid;

namespace {

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<std::string> all_capabilities() {
    std::vector<std::string> out;
    int last = runtime::kernel_last_capability();
    for (int i = 0; i <= last; ++i)
        if (auto n = runtime::capability_name(i); !n.empty()) out.emplace_back(n);
    return out;
}

std::vector<std::string> strings_of(const Json& j) {
    std::vector<std::string> out;
    if (j.is_array())
        for (auto& e : j) out.push_back(e.get<std::string>());
    return out;
}

std::vector<std::string> security_opts(const ContainerSettings& s) {
    return strings_of(s.host_config["SecurityOpt"]);
}

// The value of "key=value" / "key:value" among the security options; nullopt if absent.
std::optional<std::string> security_opt(const ContainerSettings& s, std::string_view key) {
    std::optional<std::string> found;
    for (auto& o : security_opts(s)) {
        if (o == key)
            found = "";
        else if (o.size() > key.size() && o.starts_with(key) &&
                 (o[key.size()] == '=' || o[key.size()] == ':'))
            found = o.substr(key.size() + 1);
    }
    return found;
}

// dockerd's env: PATH and HOSTNAME (and TERM with a tty) first, each replaced in
// place by the container's own value of the same name.
std::vector<std::string> process_env(const ContainerSettings& s, const std::string& hostname) {
    std::vector<std::string> env = {kDefaultPath, "HOSTNAME=" + hostname};
    if (s.tty) env.push_back("TERM=xterm");
    auto key = [](const std::string& e) { return e.substr(0, e.find('=')); };
    for (auto& e : s.env) {
        auto it = std::ranges::find_if(env, [&](const std::string& x) { return key(x) == key(e); });
        if (it != env.end())
            *it = e;
        else
            env.push_back(e);
    }
    return env;
}

std::vector<oci::Rlimit> rlimits_of(const Json& ulimits) {
    std::vector<oci::Rlimit> out;
    if (!ulimits.is_array()) return out;
    auto value = [](long long v) {
        return v < 0 ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(v);
    };
    for (auto& u : ulimits) {
        std::string name = u["Name"];
        std::ranges::transform(name, name.begin(), [](unsigned char c) { return std::toupper(c); });
        out.push_back({"RLIMIT_" + name, value(u["Soft"].get<long long>()),
                       value(u["Hard"].get<long long>())});
    }
    return out;
}

Result<oci::Process> build_process(const ContainerSettings& s, const SpecContext& ctx,
                                   const std::string& hostname,
                                   const std::vector<std::string>& caps) {
    oci::Process p;
    p.args = s.entrypoint;
    p.args.insert(p.args.end(), s.cmd.begin(), s.cmd.end());
    if (p.args.empty()) return invalid("no command specified");
    if (s.init) p.args.insert(p.args.begin(), {"/sbin/docker-init", "--"});
    p.terminal = s.tty;
    const Json& size = s.host_config["ConsoleSize"];
    if (s.tty && size.is_array() && size.size() == 2 && size[0].get<unsigned>() &&
        size[1].get<unsigned>())
        p.console_size = oci::ConsoleSize{size[0].get<unsigned>(), size[1].get<unsigned>()};
    p.env = process_env(s, hostname);
    p.cwd = s.working_dir.empty() ? "/" : s.working_dir;
    p.user = BERTH_TRY(with_context(
        resolve_user(ctx.rootfs, s.user, strings_of(s.host_config["GroupAdd"])),
        "resolve user"));
    oci::Capabilities c;
    c.bounding = c.effective = c.permitted = caps;
    p.capabilities = std::move(c);
    p.rlimits = rlimits_of(s.host_config["Ulimits"]);
    auto nnp = security_opt(s, "no-new-privileges");
    p.no_new_privileges = nnp && (nnp->empty() || *nnp == "true");
    p.oom_score_adj = s.host_config["OomScoreAdj"].get<int>();
    return p;
}

std::vector<oci::Namespace> namespaces_of(const ContainerSettings& s, const SpecContext& ctx) {
    const Json& h = s.host_config;
    using T = oci::NamespaceType;
    std::vector<oci::Namespace> ns = {{T::mount, ""}};
    if (s.network_mode != "host") ns.push_back({T::network, ctx.netns_path});
    if (h["UTSMode"] != "host") ns.push_back({T::uts, ""});
    if (h["PidMode"] != "host") ns.push_back({T::pid, ""});
    if (h["IpcMode"] != "host") ns.push_back({T::ipc, ""});
    if (h["CgroupnsMode"] == "private") ns.push_back({T::cgroup, ""});
    return ns;
}

Result<std::optional<oci::Seccomp>> seccomp_of(const ContainerSettings& s,
                                               const std::vector<std::string>& caps) {
    auto opt = security_opt(s, "seccomp");
    if (s.privileged || (opt && *opt == "unconfined")) return std::optional<oci::Seccomp>();
    Json custom;
    if (opt) custom = BERTH_TRY(seccomp_profile_of_option(*opt));
    const Json& profile = opt ? custom : default_seccomp_profile();
    return std::optional(
        BERTH_TRY(seccomp_from_docker_profile(profile, caps, host_seccomp_arch())));
}

// Bind propagation needs the rootfs to propagate too (dockerd's
// setMountPropagation... in WithMounts): shared wins over slave.
std::string rootfs_propagation_of(const std::vector<oci::Mount>& mounts) {
    std::string out;
    for (auto& m : mounts)
        for (auto& o : m.options) {
            if (o == "shared" || o == "rshared") return "rshared";
            if (o == "slave" || o == "rslave") out = "rslave";
        }
    return out;
}

}  // namespace

const std::vector<std::string>& docker_default_capabilities() {
    static const std::vector<std::string> caps = {
        "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
        "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL",    "CAP_AUDIT_WRITE"};
    return caps;
}

const std::vector<std::string>& docker_masked_paths() {
    static const std::vector<std::string> paths = {
        "/proc/asound",        "/proc/acpi",       "/proc/kcore",       "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/proc/scsi",          "/sys/firmware"};
    return paths;
}

const std::vector<std::string>& docker_readonly_paths() {
    static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                   "/proc/sys", "/proc/sysrq-trigger"};
    return paths;
}

Result<std::string> normalize_capability(std::string_view name) {
    std::string upper(name);
    std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
    if (upper == "ALL") return upper;
    if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
    if (!runtime::capability_number(upper)) return invalid("unknown capability: \"" + upper + "\"");
    return upper;
}

Result<std::vector<std::string>> effective_capabilities(const ContainerSettings& s) {
    if (s.privileged) return all_capabilities();  // dockerd ignores CapDrop here too
    std::vector<std::string> adds, drops;
    for (auto& c : strings_of(s.host_config["CapAdd"]))
        adds.push_back(BERTH_TRY(normalize_capability(c)));
    for (auto& c : strings_of(s.host_config["CapDrop"]))
        drops.push_back(BERTH_TRY(normalize_capability(c)));
    auto has = [](const std::vector<std::string>& v, std::string_view c) {
        return std::ranges::find(v, c) != v.end();
    };
    std::vector<std::string> caps;
    auto push = [&](const std::string& c) {
        if (c != "ALL" && !has(caps, c)) caps.push_back(c);
    };
    if (has(adds, "ALL")) {
        for (auto& c : all_capabilities())
            if (!has(drops, c)) push(c);
    } else if (has(drops, "ALL")) {
        for (auto& c : adds) push(c);
    } else {
        for (auto& c : docker_default_capabilities())
            if (!has(drops, c)) push(c);
        for (auto& c : adds) push(c);
    }
    return caps;
}

namespace {

Result<oci::Config> build_oci_spec_unguarded(const ContainerSettings& s, const SpecContext& ctx) {
    const Json& h = s.host_config;
    if (ctx.rootfs.empty() || !ctx.rootfs.starts_with('/'))
        return invalid("build spec: rootfs must be an absolute path");
    oci::Config c;
    c.oci_version = oci::kOciVersion;
    c.root = oci::Root{ctx.rootfs, s.read_only};
    std::string hostname = s.hostname.empty() ? ctx.id.substr(0, 12) : s.hostname;
    if (h["UTSMode"] != "host") {
        c.hostname = hostname;
        c.domainname = s.domainname;
    }
    auto caps = BERTH_TRY(effective_capabilities(s));
    c.process = BERTH_TRY(build_process(s, ctx, hostname, caps));
    c.mounts = BERTH_TRY(detail::spec_mounts(s, ctx));

    oci::Linux l;
    l.namespaces = namespaces_of(s, ctx);
    std::string parent = h["CgroupParent"].get<std::string>().empty()
                             ? ctx.cgroup_parent
                             : h["CgroupParent"].get<std::string>();
    if (!parent.starts_with('/')) parent = "/" + parent;
    if (parent.size() > 1 && parent.ends_with('/')) parent.pop_back();
    l.cgroups_path = (parent == "/" ? "" : parent) + "/" + ctx.id;
    l.resources = BERTH_TRY(detail::spec_resources(h));
    auto devices = BERTH_TRY(detail::spec_devices(s));
    l.devices = std::move(devices.nodes);
    l.resources->devices = std::move(devices.rules);
    l.rootfs_propagation = rootfs_propagation_of(c.mounts);
    l.seccomp = BERTH_TRY(seccomp_of(s, caps));
    if (h.contains("Sysctls") && h["Sysctls"].is_object())
        for (auto& [k, v] : h["Sysctls"].items()) l.sysctl[k] = v.get<std::string>();
    // A sysctl outside the container's namespaces would change the host: refused
    // here, at create, rather than when the runtime starts the container.
    if (auto ok = runtime::check_sysctl_policy(l); !ok) return invalid(ok.error().message);
    auto systempaths = security_opt(s, "systempaths");
    if (!s.privileged && !(systempaths && *systempaths == "unconfined")) {
        l.masked_paths =
            h["MaskedPaths"].is_array() ? strings_of(h["MaskedPaths"]) : docker_masked_paths();
        l.readonly_paths = h["ReadonlyPaths"].is_array() ? strings_of(h["ReadonlyPaths"])
                                                         : docker_readonly_paths();
    }
    c.linux_ = std::move(l);
    return c;
}

}  // namespace

Result<oci::Config> build_oci_spec(const ContainerSettings& s, const SpecContext& ctx) {
    return detail::json_guarded("build spec", [&] { return build_oci_spec_unguarded(s, ctx); });
}

}  // namespace berth::engine

#include "engine/mount_specs.hpp"

#include <algorithm>
#include <array>

#include "base/strings.hpp"
#include "engine/container_settings.hpp"

namespace berth::engine {

namespace {

std::unexpected<Error> invalid(std::string message) {
    return fail_as(ErrorKind::invalid_argument, std::move(message));
}

constexpr std::array kPropagations = {"shared", "rshared", "slave",
                                      "rslave", "private", "rprivate"};

bool is_propagation(std::string_view m) {
    return std::ranges::find(kPropagations, m) != kPropagations.end();
}

Result<void> apply_bind_mode(BindSpec& b, std::string_view modes) {
    bool saw_rw = false, saw_label = false, saw_propagation = false, saw_consistency = false;
    for (auto& m : split(modes, ',')) {
        bool dup = false;
        if (m == "ro" || m == "rw") {
            dup = std::exchange(saw_rw, true);
            b.read_only = m == "ro";
        } else if (m == "z" || m == "Z") {
            dup = std::exchange(saw_label, true);
            b.selinux_relabel = m;
        } else if (is_propagation(m)) {
            dup = std::exchange(saw_propagation, true);
            b.propagation = m;
        } else if (m == "consistent" || m == "cached" || m == "delegated") {
            dup = std::exchange(saw_consistency, true);
        } else if (m != "nocopy") {
            return invalid("invalid mode: " + std::string(modes));
        }
        if (dup) return invalid("invalid mode: " + std::string(modes));
    }
    return {};
}

}  // namespace

Result<BindSpec> parse_bind_spec(std::string_view spec) {
    auto parts = split(spec, ':');
    auto bad_spec = [&] { return invalid("invalid volume specification: '" + std::string(spec) + "'"); };
    if (parts.size() < 2 || parts.size() > 3) {
        // A lone path is an anonymous volume: a volume all the same.
        if (parts.size() == 1 && !parts[0].empty())
            return invalid("invalid volume specification: '" + std::string(spec) +
                           "': anonymous and named volumes are not supported yet");
        return bad_spec();
    }
    BindSpec b;
    b.source = parts[0];
    b.destination = parts[1];
    if (b.source.empty() || b.destination.empty()) return bad_spec();
    if (!b.source.starts_with('/'))
        return invalid("invalid volume specification: '" + std::string(spec) + "': named volumes (\"" +
                       b.source + "\") are not supported yet");
    if (!b.destination.starts_with('/'))
        return invalid("invalid volume specification: '" + std::string(spec) +
                       "': invalid mount config for type \"bind\": invalid mount path: '" +
                       b.destination + "' mount path must be absolute");
    if (b.destination == "/")
        return invalid("invalid volume specification: '" + std::string(spec) +
                       "': invalid mount config for type \"bind\": invalid specification: "
                       "destination can't be '/'");
    if (parts.size() == 3) BERTH_TRYV(apply_bind_mode(b, parts[2]));
    return b;
}

Result<MountEntry> parse_mount_entry(const Json& m) {
    if (!m.is_object()) return invalid("invalid mount config: a mount must be an object");
    auto str = [&](const char* k) {
        auto it = m.find(k);
        return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string type = str("Type"), target = str("Target"), source = str("Source");
    if (type.empty()) return invalid("invalid mount config: mount type unknown");
    if (target.empty()) return invalid("invalid mount config for type \"" + type + "\": field Target must not be empty");
    if (!target.starts_with('/'))
        return invalid("invalid mount config for type \"" + type + "\": invalid mount path: '" +
                       target + "' mount path must be absolute");
    bool ro = m.contains("ReadOnly") && m["ReadOnly"].is_boolean() && m["ReadOnly"].get<bool>();
    MountEntry e;
    if (type == "bind") {
        if (source.empty()) return invalid("invalid mount config for type \"bind\": field Source must not be empty");
        if (!source.starts_with('/'))
            return invalid("invalid mount config for type \"bind\": invalid mount path: '" + source +
                           "' mount path must be absolute");
        e.bind = BindSpec{source, target, ro, "", ""};
        if (auto bo = m.find("BindOptions"); bo != m.end() && bo->is_object()) {
            if (auto p = bo->find("Propagation"); p != bo->end() && p->is_string() && !p->get<std::string>().empty()) {
                if (!is_propagation(p->get<std::string>()))
                    return invalid("invalid mount config for type \"bind\": invalid propagation mode: " +
                                   p->get<std::string>());
                e.bind.propagation = p->get<std::string>();
            }
        }
        return e;
    }
    if (type == "tmpfs") {
        if (!source.empty()) return invalid("invalid mount config for type \"tmpfs\": field Source must not be specified");
        std::vector<std::string> opts = {"nosuid", "nodev", "noexec"};
        if (ro) opts.push_back("ro");
        if (auto to = m.find("TmpfsOptions"); to != m.end() && to->is_object()) {
            if (auto s = to->find("SizeBytes"); s != to->end() && s->is_number_integer()) {
                if (s->get<int64_t>() < 0) return invalid("invalid mount config for type \"tmpfs\": invalid tmpfs size");
                if (s->get<int64_t>() > 0) opts.push_back("size=" + std::to_string(s->get<int64_t>()));
            }
            if (auto md = to->find("Mode"); md != to->end() && md->is_number_integer()) {
                char buf[16];
                std::snprintf(buf, sizeof buf, "mode=%o", md->get<unsigned>() & 07777);
                opts.push_back(buf);
            }
        }
        e.bind.destination = target;
        e.tmpfs_options = std::move(opts);
        return e;
    }
    if (type == "volume") return invalid("invalid mount config for type \"volume\": named volumes are not supported yet");
    return invalid("invalid mount config: mount type unknown: \"" + type + "\"");
}

Result<std::vector<std::string>> parse_tmpfs_options(std::string_view destination,
                                                     std::string_view options) {
    if (!destination.starts_with('/'))
        return invalid("invalid mount config for type \"tmpfs\": invalid mount path: '" +
                       std::string(destination) + "' mount path must be absolute");
    static constexpr std::array kFlags = {
        "ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "sync", "async",
        "dirsync", "atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
        "strictatime", "nostrictatime", "mand", "nomand", "tmpcopyup", "private", "rprivate",
        "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"};
    // Docker's default for a --tmpfs: noexec,nosuid,nodev, unless the options say otherwise.
    std::vector<std::string> out;
    bool exec_given = false, suid_given = false, dev_given = false;
    for (auto& raw : split(options, ',')) {
        std::string o(trim(raw));
        if (o.empty()) continue;
        auto eq = o.find('=');
        std::string key = o.substr(0, eq);
        if (eq == std::string::npos) {
            if (std::ranges::find(kFlags, key) == kFlags.end())
                return invalid("invalid tmpfs option \"" + o + "\" for " + std::string(destination));
            exec_given |= key == "exec" || key == "noexec";
            suid_given |= key == "suid" || key == "nosuid";
            dev_given |= key == "dev" || key == "nodev";
            out.push_back(o);
            continue;
        }
        std::string value = o.substr(eq + 1);
        if (key == "size") {
            auto bytes = parse_docker_size(value);
            if (!bytes || *bytes < 0)
                return invalid("invalid tmpfs option \"" + o + "\" for " + std::string(destination) +
                               ": invalid size");
            out.push_back("size=" + std::to_string(*bytes));
        } else if (key == "mode") {
            bool octal = !value.empty() && value.size() <= 4 &&
                         std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '7'; });
            if (!octal)
                return invalid("invalid tmpfs option \"" + o + "\" for " + std::string(destination) +
                               ": mode must be octal");
            out.push_back(o);
        } else if (key == "uid" || key == "gid" || key == "nr_inodes" || key == "nr_blocks") {
            auto n = parse_int(value);
            if (!n || *n < 0)
                return invalid("invalid tmpfs option \"" + o + "\" for " + std::string(destination));
            out.push_back(o);
        } else {
            return invalid("invalid tmpfs option \"" + o + "\" for " + std::string(destination));
        }
    }
    if (!exec_given) out.insert(out.begin(), "noexec");
    if (!dev_given) out.insert(out.begin(), "nodev");
    if (!suid_given) out.insert(out.begin(), "nosuid");
    return out;
}

Result<oci::DeviceRule> parse_device_cgroup_rule(std::string_view rule) {
    auto bad = [&] { return invalid("invalid device cgroup rule format: '" + std::string(rule) + "'"); };
    auto parts = split(trim(rule), ' ');
    oci::DeviceRule r;
    r.allow = true;
    if (parts.size() == 1 && parts[0] == "a") {
        r.type = "a";
        r.access = "rwm";
        return r;
    }
    if (parts.size() != 3) return bad();
    if (parts[0] != "a" && parts[0] != "b" && parts[0] != "c") return bad();
    r.type = parts[0];
    auto nums = split(parts[1], ':');
    if (nums.size() != 2) return bad();
    auto number = [](const std::string& n) -> std::optional<std::optional<int64_t>> {
        if (n == "*") return std::optional<int64_t>();
        auto v = parse_int(n);
        if (!v || *v < 0) return std::nullopt;
        return std::optional<int64_t>(*v);
    };
    auto major = number(nums[0]), minor = number(nums[1]);
    if (!major || !minor) return bad();
    r.major = *major;
    r.minor = *minor;
    const std::string& access = parts[2];
    if (access.empty() || access.size() > 3 ||
        !std::ranges::all_of(access, [](char c) { return c == 'r' || c == 'w' || c == 'm'; }))
        return bad();
    r.access = access;
    return r;
}

Result<DeviceMapping> parse_device_mapping(const Json& d) {
    if (!d.is_object()) return invalid("invalid device mapping: must be an object");
    auto str = [&](const char* k) {
        auto it = d.find(k);
        return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    DeviceMapping m{str("PathOnHost"), str("PathInContainer"), str("CgroupPermissions")};
    if (m.path_on_host.empty()) return invalid("invalid device mapping: PathOnHost must not be empty");
    if (m.path_in_container.empty()) m.path_in_container = m.path_on_host;
    if (m.permissions.empty()) m.permissions = "rwm";
    if (!m.path_on_host.starts_with('/'))
        return invalid(m.path_on_host + " is not an absolute path");
    if (!m.path_in_container.starts_with('/'))
        return invalid(m.path_in_container + " is not an absolute path");
    bool mode_ok = m.permissions.size() <= 3 &&
                   std::ranges::all_of(m.permissions, [](char c) { return c == 'r' || c == 'w' || c == 'm'; });
    if (!mode_ok) return invalid("invalid device mode: " + m.permissions);
    return m;
}

}  // namespace berth::engine

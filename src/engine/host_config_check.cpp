// HostConfig validation in dockerd's words (daemon/daemon_unix.go
// verifyPlatformContainerSettings, runconfig), minus the Resources (resources_check.cpp).
#include <sys/stat.h>

#include <algorithm>

#include "base/strings.hpp"
#include "engine/container_settings_internal.hpp"
#include "engine/mount_specs.hpp"
#include "engine/oci_spec_builder.hpp"
#include "engine/seccomp_profile.hpp"
#include "runtime/process_security.hpp"
#include "runtime/signals.hpp"

namespace berth::engine::detail {

namespace {

Result<void> validate_log_config(const Json& lc) {
    std::string type = lc["Type"];
    if (type == "none") return {};
    if (type != "json-file")
        return invalid("failed to create logger: logger: no log driver named '" + type +
                       "' is registered (berth supports json-file and none)");
    static const std::vector<std::string> known = {
        "max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"};
    for (auto& [k, v] : lc["Config"].items()) {
        if (std::ranges::find(known, k) == known.end())
            return invalid("unknown log opt '" + k + "' for json-file log driver");
        std::string value = v;
        if (k == "max-size") {
            auto n = parse_docker_size(value);
            if (!n) return invalid("invalid max-size '" + value + "': " + n.error().message);
        } else if (k == "max-file") {
            auto n = parse_int(value);
            if (!n) return invalid("invalid max-file '" + value + "': must be an integer");
            if (*n < 1) return invalid("max-file cannot be less than 1");
        } else if (k == "compress" && value != "true" && value != "false") {
            return invalid("invalid value for compress log opt: '" + value + "'");
        }
    }
    if (lc["Config"].contains("max-file") && lc["Config"]["max-file"] != "1" &&
        !lc["Config"].contains("max-size"))
        return invalid("max-file can only be used with max-size");
    return {};
}

Result<void> validate_capabilities(const Json& list) {
    if (!list.is_array()) return {};
    for (auto& c : list) {
        auto name = normalize_capability(c.get<std::string>());
        if (!name) return std::unexpected(name.error());
    }
    return {};
}

Result<void> validate_security_opts(const Json& list) {
    if (!list.is_array()) return {};
    for (auto& o : list) {
        std::string opt = o;
        if (opt == "no-new-privileges") continue;
        auto sep = opt.find_first_of("=:");
        if (sep == std::string::npos) return invalid("invalid --security-opt 1: \"" + opt + "\"");
        std::string key = opt.substr(0, sep), value = opt.substr(sep + 1);
        if (key == "no-new-privileges") {
            if (value != "true" && value != "false")
                return invalid("invalid --security-opt 2: \"" + opt + "\"");
        } else if (key == "seccomp") {
            if (value == "unconfined") continue;
            // The docker CLI sends the profile's content; berth also takes a path.
            BERTH_TRY(seccomp_profile_of_option(value));
        } else if (key == "apparmor" || key == "label" || key == "systempaths") {
            // No AppArmor or SELinux here; systempaths=unconfined is honoured by the spec.
        } else {
            return invalid("invalid --security-opt 2: \"" + opt + "\"");
        }
    }
    return {};
}

Result<void> validate_binds(const Json& binds, HostChecks checks) {
    if (!binds.is_array()) return {};
    for (auto& b : binds) {
        auto spec = BERTH_TRY(parse_bind_spec(b.get<std::string>()));
        struct stat st {};
        if (checks == HostChecks::on && ::stat(spec.source.c_str(), &st) != 0)
            return invalid("invalid mount config: bind source path does not exist: " + spec.source);
    }
    return {};
}

Result<void> validate_mounts(const Json& mounts, HostChecks checks) {
    if (!mounts.is_array()) return {};
    for (auto& m : mounts) {
        auto e = BERTH_TRY(parse_mount_entry(m));
        struct stat st {};
        if (!e.tmpfs_options && checks == HostChecks::on && ::stat(e.bind.source.c_str(), &st) != 0)
            return invalid(
                "invalid mount config for type \"bind\": bind source path does not exist: " +
                e.bind.source);
    }
    return {};
}

Result<void> validate_tmpfs(const Json& tmpfs) {
    if (!tmpfs.is_object()) return {};
    for (auto& [dest, opts] : tmpfs.items())
        BERTH_TRY(parse_tmpfs_options(dest, opts.get<std::string>()));
    return {};
}

Result<void> validate_network_mode(const Json& h) {
    std::string mode = h["NetworkMode"];
    if (mode == "default" || mode == "bridge" || mode == "none" || mode == "host") return {};
    if (mode.starts_with("container:")) {
        if (mode.size() == std::string_view("container:").size())
            return invalid("invalid container format container:<name|id>");
        return {};
    }
    // A user-defined network: whether it exists is the container service's check.
    if (mode.empty()) return invalid("NetworkMode must not be empty");
    return {};
}

Result<void> validate_namespace_modes(const Json& h) {
    std::string ipc = h["IpcMode"], pid = h["PidMode"], uts = h["UTSMode"],
                cgns = h["CgroupnsMode"];
    if (ipc != "private" && ipc != "shareable" && ipc != "none" && ipc != "host")
        return invalid("invalid IPC mode: " + ipc +
                       " (berth supports private, shareable, none, host)");
    if (!pid.empty() && pid != "host") return invalid("invalid PID mode: " + pid);
    if (!uts.empty() && uts != "host") return invalid("invalid UTS mode: " + uts);
    if (cgns != "private" && cgns != "host")
        return invalid("invalid cgroup namespace mode: " + cgns);
    if (!h["UsernsMode"].get<std::string>().empty() && h["UsernsMode"] != "host")
        return invalid("invalid USER mode: " + h["UsernsMode"].get<std::string>());
    return {};
}

}  // namespace

Result<void> validate_restart_policy(const Json& h) {
    const auto& rp = h["RestartPolicy"];
    std::string name = rp["Name"];
    long long count = rp["MaximumRetryCount"];
    if (name == "always" || name == "unless-stopped" || name == "no") {
        if (count != 0)
            return invalid("maximum retry count cannot be used with restart policy '" + name + "'");
    } else if (name == "on-failure") {
        if (count < 0) return invalid("maximum retry count cannot be negative");
    } else {
        return invalid("invalid restart policy '" + name + "'");
    }
    if (h["AutoRemove"].get<bool>() && name != "no")
        return invalid("Conflicting options: AutoRemove and restart policy (" + name +
                       ") cannot both be set");
    return {};
}

Result<void> validate_config(const Json& c) {
    if (c["Env"].is_array())
        for (auto& e : c["Env"])
            if (e.get<std::string>().empty() || e.get<std::string>().starts_with('='))
                return invalid("invalid environment variable: " + e.get<std::string>());
    if (c.contains("StopSignal") && !runtime::parse_signal(c["StopSignal"].get<std::string>()))
        return invalid("Invalid signal: " + c["StopSignal"].get<std::string>());
    if (c.contains("StopTimeout") && c["StopTimeout"].get<long long>() < -1)
        return invalid("invalid StopTimeout: must be -1 or more");
    if (auto it = c.find("Healthcheck"); it != c.end()) {
        const auto& hc = *it;
        auto dur = [&](const char* k) -> Result<long long> {
            if (!hc.contains(k) || hc[k].is_null()) return 0;
            if (!hc[k].is_number_integer())
                return invalid(std::string(k) + " in Healthcheck must be an integer");
            return hc[k].get<long long>();
        };
        for (auto* k : {"Interval", "Timeout", "StartPeriod"}) {
            long long v = BERTH_TRY(dur(k));
            if (v != 0 && v < 1'000'000)
                return invalid(std::string(k) + " in Healthcheck cannot be less than 1ms");
        }
        if (BERTH_TRY(dur("Retries")) < 0)
            return invalid("Retries in Healthcheck cannot be negative");
        if (hc.contains("Test") && !hc["Test"].is_null()) {
            if (!hc["Test"].is_array())
                return invalid("Healthcheck.Test must be an array of strings");
            for (auto& t : hc["Test"])
                if (!t.is_string()) return invalid("Healthcheck.Test must be an array of strings");
            if (!hc["Test"].empty()) {
                std::string kind = hc["Test"][0];
                if (kind != "NONE" && kind != "CMD" && kind != "CMD-SHELL")
                    return invalid("unknown Healthcheck test type: " + kind);
            }
        }
    }
    return {};
}

Result<void> validate_host_config(Json& h, HostChecks checks, std::vector<std::string>& warnings) {
    BERTH_TRYV(validate_restart_policy(h));
    BERTH_TRYV(validate_log_config(h["LogConfig"]));
    BERTH_TRYV(validate_capabilities(h["CapAdd"]));
    BERTH_TRYV(validate_capabilities(h["CapDrop"]));
    BERTH_TRYV(validate_security_opts(h["SecurityOpt"]));
    BERTH_TRYV(validate_binds(h["Binds"], checks));
    if (h.contains("Mounts")) BERTH_TRYV(validate_mounts(h["Mounts"], checks));
    if (h.contains("Tmpfs")) BERTH_TRYV(validate_tmpfs(h["Tmpfs"]));
    BERTH_TRYV(validate_network_mode(h));
    BERTH_TRYV(validate_namespace_modes(h));
    if (h["VolumesFrom"].is_array() && !h["VolumesFrom"].empty())
        return invalid("VolumesFrom is not supported yet");
    long long oom = h["OomScoreAdj"];
    if (oom < -1000 || oom > 1000)
        return invalid("Invalid value " + std::to_string(oom) +
                       ", range for oom score adj is [-1000, 1000]");
    if (h["ShmSize"].get<long long>() < 0) return invalid("SHM size can not be less than 0");
    if (h["ShmSize"].get<long long>() == 0) h["ShmSize"] = 67108864;
    return validate_resources(h, checks, false, warnings);
}

}  // namespace berth::engine::detail

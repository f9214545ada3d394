#include "cli/berth/container_create_request.hpp"

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli/berth/network_requests.hpp"
#include "cli/berth/time_text.hpp"
#include "cli/flags/flag_builders.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

using flag::boolean, flag::list, flag::str, flag::typed, flag::integer;

std::string title_of(const std::vector<FlagDef>& defs, const std::string& name) {
    for (const auto& d : defs)
        if (d.long_name == name)
            return d.short_name ? std::string("-") + d.short_name + ", --" + name : "--" + name;
    return "--" + name;
}

// pflag's error for a value its type's Set refused.
std::unexpected<Error> invalid_flag_value(const std::string& value, std::string_view title,
                                          const std::string& why) {
    return fail("invalid argument \"" + value + "\" for \"" + std::string(title) +
                "\" flag: " + why);
}

// Builds the request piece by piece; each step reads the flags it owns.
class RequestBuilder {
  public:
    RequestBuilder(const ParsedFlags& flags, const EnvLookup& env, bool for_run)
        : f_(flags), env_(env), for_run_(for_run), defs_(container_create_flags(for_run)) {}

    Result<CreateRequest> build() {
        CreateRequest req;
        req.image = f_.args[0];
        req.name = f_.value("name");
        req.platform = f_.value("platform");
        config_["Image"] = req.image;
        if (f_.args.size() > 1)
            config_["Cmd"] = std::vector<std::string>(f_.args.begin() + 1, f_.args.end());
        BERTH_TRYV(basics());
        BERTH_TRYV(streams());
        BERTH_TRYV(environment());
        BERTH_TRYV(ports());
        BERTH_TRYV(storage());
        BERTH_TRYV(resources());
        BERTH_TRYV(devices());
        BERTH_TRYV(security());
        BERTH_TRYV(lifecycle());
        BERTH_TRYV(healthcheck());
        req.body = config_;
        req.body["HostConfig"] = host_;
        req.body["NetworkingConfig"] = {{"EndpointsConfig", BERTH_TRY(endpoints_config())}};
        return req;
    }

  private:
    Result<std::int64_t> bytes(const std::string& name) {
        return bytes_flag(f_, name, title_of(defs_, name));
    }
    std::int64_t integer_value(const std::string& name) {
        return parse_int(f_.value(name)).value_or(0);
    }

    Result<void> basics() {
        if (f_.has("hostname")) config_["Hostname"] = f_.value("hostname");
        if (f_.has("domainname")) config_["Domainname"] = f_.value("domainname");
        if (f_.has("user")) config_["User"] = f_.value("user");
        if (f_.has("workdir")) config_["WorkingDir"] = f_.value("workdir");
        if (f_.has("entrypoint"))
            config_["Entrypoint"] =
                std::vector<std::string>{f_.value("entrypoint")};  // "" clears the image's
        if (f_.has("stop-signal")) config_["StopSignal"] = f_.value("stop-signal");
        if (f_.has("stop-timeout")) config_["StopTimeout"] = integer_value("stop-timeout");
        if (f_.has("mac-address")) config_["MacAddress"] = f_.value("mac-address");
        config_["Tty"] = f_.enabled("tty");
        config_["OpenStdin"] = f_.enabled("interactive");
        host_["NetworkMode"] = network_mode();
        return {};
    }

    // --network, or docker's hidden old name for it, --net.
    std::string network_mode() const {
        std::string mode = f_.has("network") ? f_.value("network") : f_.value("net");
        return mode.empty() ? "default" : mode;
    }

    // NetworkingConfig.EndpointsConfig as docker 20.10's parseNetworkOpts makes it:
    // --ip, --ip6, --link-local-ip and --network-alias configure the endpoint on
    // the container's network; without them none is sent (the daemon makes it).
    // --link stays in HostConfig.Links.
    Result<Json> endpoints_config() const {
        EndpointRequest e{.ipv4 = f_.value("ip"), .ipv6 = f_.value("ip6"), .link_local_ips = f_.list("link-local-ip")};
        for (const char* name : {"network-alias", "net-alias"})
            for (const auto& a : f_.list(name)) e.aliases.push_back(a);
        std::string mode = network_mode();
        if (!e.aliases.empty() && !is_user_defined_network(mode))
            return fail("network-scoped aliases are only supported for user-defined networks");
        Json endpoints = Json::object();
        if (!e.ipv4.empty() || !e.ipv6.empty() || !e.link_local_ips.empty() || !e.aliases.empty())
            endpoints[mode] = endpoint_settings_json(e);
        return endpoints;
    }

    Result<void> streams() {
        bool in = false, out = false, err = false;
        for (const auto& a : f_.list("attach")) {
            std::string s = a;
            for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (s == "stdin")
                in = true;
            else if (s == "stdout")
                out = true;
            else if (s == "stderr")
                err = true;
            else
                return invalid_flag_value(a, "-a, --attach",
                                          "valid streams are STDIN, STDOUT and STDERR");
        }
        if (f_.enabled("interactive")) in = true;
        if (!f_.has("attach")) out = err = true;
        bool detached = !for_run_ || f_.enabled("detach");
        if (for_run_ && f_.enabled("detach") && f_.has("attach"))
            return fail("Conflicting options: -a and -d");
        bool stdin_once = in && f_.enabled("interactive");
        if (for_run_ && detached) in = out = err = stdin_once = false;
        config_["AttachStdin"] = in;
        config_["AttachStdout"] = out;
        config_["AttachStderr"] = err;
        config_["StdinOnce"] = stdin_once;
        return {};
    }

    Result<void> environment() {
        std::vector<std::string> env;
        for (const auto& file : f_.list("env-file")) {
            auto lines = BERTH_TRY(read_key_value_file(file, &env_));
            env.insert(env.end(), lines.begin(), lines.end());
        }
        for (const auto& e : f_.list("env")) env.push_back(env_entry(e, env_));
        config_["Env"] = env;
        std::vector<std::string> labels;
        for (const auto& file : f_.list("label-file")) {
            auto lines = BERTH_TRY(read_key_value_file(file, nullptr));
            labels.insert(labels.end(), lines.begin(), lines.end());
        }
        for (const auto& l : f_.list("label")) labels.push_back(l);
        config_["Labels"] = key_values_to_object(labels);
        return {};
    }

    Result<void> ports() {
        PortSet ports;
        for (const auto& p : f_.list("publish")) BERTH_TRYV(add_published_port(ports, p));
        for (const auto& p : f_.list("expose")) BERTH_TRYV(add_exposed_port(ports, p));
        if (!ports.exposed.empty()) config_["ExposedPorts"] = ports.exposed;
        host_["PortBindings"] = ports.bindings;
        host_["PublishAllPorts"] = f_.enabled("publish-all");
        return {};
    }

    Result<void> storage() {
        std::vector<std::string> binds;
        Json volumes = Json::object();
        for (const auto& v : f_.list("volume")) {
            VolumeSpec spec = BERTH_TRY(parse_volume(v));
            if (spec.is_bind)
                binds.push_back(spec.value);
            else
                volumes[spec.value] = Json::object();
        }
        if (!volumes.empty()) config_["Volumes"] = volumes;
        if (!binds.empty()) host_["Binds"] = binds;
        Json mounts = Json::array();
        for (const auto& m : f_.list("mount")) {
            auto mount = parse_mount(m);
            if (!mount) return invalid_flag_value(m, "--mount", mount.error().message);
            mounts.push_back(*mount);
        }
        if (!mounts.empty()) host_["Mounts"] = mounts;
        Json tmpfs = Json::object();
        for (const auto& t : f_.list("tmpfs")) {
            auto [path, opts] = BERTH_TRY(parse_tmpfs(t));
            tmpfs[path] = opts;
        }
        if (!tmpfs.empty()) host_["Tmpfs"] = tmpfs;
        host_["ReadonlyRootfs"] = f_.enabled("read-only");
        if (f_.has("volumes-from")) host_["VolumesFrom"] = f_.list("volumes-from");
        if (f_.has("volume-driver")) host_["VolumeDriver"] = f_.value("volume-driver");
        if (f_.has("shm-size")) host_["ShmSize"] = BERTH_TRY(bytes("shm-size"));
        if (f_.has("storage-opt"))
            host_["StorageOpt"] = key_values_to_object(f_.list("storage-opt"));
        return {};
    }

    Result<void> resources() {
        if (f_.has("memory")) host_["Memory"] = BERTH_TRY(bytes("memory"));
        if (f_.has("memory-reservation"))
            host_["MemoryReservation"] = BERTH_TRY(bytes("memory-reservation"));
        if (f_.has("kernel-memory")) host_["KernelMemory"] = BERTH_TRY(bytes("kernel-memory"));
        if (f_.has("memory-swap")) {
            auto swap = parse_memory_swap(f_.value("memory-swap"));
            if (!swap)
                return invalid_flag_value(f_.value("memory-swap"), "--memory-swap",
                                          swap.error().message);
            host_["MemorySwap"] = *swap;
        }
        if (f_.has("memory-swappiness"))
            host_["MemorySwappiness"] = integer_value("memory-swappiness");
        if (f_.has("cpus")) {
            auto nanos = parse_nano_cpus(f_.value("cpus"));
            if (!nanos)
                return invalid_flag_value(f_.value("cpus"), "--cpus", nanos.error().message);
            host_["NanoCpus"] = *nanos;
        }
        for (auto [flag, field] : {std::pair{"cpu-shares", "CpuShares"},
                                   {"cpu-period", "CpuPeriod"},
                                   {"cpu-quota", "CpuQuota"},
                                   {"cpu-rt-period", "CpuRealtimePeriod"},
                                   {"cpu-rt-runtime", "CpuRealtimeRuntime"},
                                   {"pids-limit", "PidsLimit"},
                                   {"oom-score-adj", "OomScoreAdj"}})
            if (f_.has(flag)) host_[field] = integer_value(flag);
        if (f_.has("blkio-weight")) {
            auto w = parse_int(f_.value("blkio-weight"));
            if (!w || *w < 0 || *w > 65535)
                return invalid_flag_value(f_.value("blkio-weight"), "--blkio-weight",
                                          "strconv.ParseUint: parsing \"" +
                                              f_.value("blkio-weight") + "\": invalid syntax");
            host_["BlkioWeight"] = *w;
        }
        if (f_.has("cpuset-cpus")) host_["CpusetCpus"] = f_.value("cpuset-cpus");
        if (f_.has("cpuset-mems")) host_["CpusetMems"] = f_.value("cpuset-mems");
        if (f_.has("cgroup-parent")) host_["CgroupParent"] = f_.value("cgroup-parent");
        if (f_.has("oom-kill-disable")) host_["OomKillDisable"] = f_.enabled("oom-kill-disable");
        Json ulimits = Json::array();
        for (const auto& u : f_.list("ulimit")) {
            auto parsed = parse_ulimit(u);
            if (!parsed) return invalid_flag_value(u, "--ulimit", parsed.error().message);
            ulimits.push_back(*parsed);
        }
        if (!ulimits.empty()) host_["Ulimits"] = ulimits;
        return {};
    }

    Result<void> devices() {
        Json devices = Json::array();
        for (const auto& d : f_.list("device")) {
            auto parsed = parse_device(d);
            if (!parsed) return invalid_flag_value(d, "--device", parsed.error().message);
            devices.push_back(*parsed);
        }
        if (!devices.empty()) host_["Devices"] = devices;
        if (f_.has("device-cgroup-rule"))
            host_["DeviceCgroupRules"] = f_.list("device-cgroup-rule");
        for (auto [flag, field, iops] : {std::tuple{"device-read-bps", "BlkioDeviceReadBps", false},
                                         {"device-write-bps", "BlkioDeviceWriteBps", false},
                                         {"device-read-iops", "BlkioDeviceReadIOps", true},
                                         {"device-write-iops", "BlkioDeviceWriteIOps", true}}) {
            if (!f_.has(flag)) continue;
            Json entries = Json::array();
            for (const auto& v : f_.list(flag)) {
                auto parsed = parse_throttle_device(v, iops);
                if (!parsed)
                    return invalid_flag_value(v, std::string("--") + flag, parsed.error().message);
                entries.push_back(*parsed);
            }
            host_[field] = entries;
        }
        if (f_.has("blkio-weight-device")) {
            Json entries = Json::array();
            for (const auto& v : f_.list("blkio-weight-device")) {
                auto parsed = parse_weight_device(v);
                if (!parsed)
                    return invalid_flag_value(v, "--blkio-weight-device", parsed.error().message);
                entries.push_back(*parsed);
            }
            host_["BlkioWeightDevice"] = entries;
        }
        return {};
    }

    Result<void> security() {
        host_["Privileged"] = f_.enabled("privileged");
        if (f_.has("cap-add")) host_["CapAdd"] = f_.list("cap-add");
        if (f_.has("cap-drop")) host_["CapDrop"] = f_.list("cap-drop");
        std::vector<std::string> opts;
        for (const auto& o : f_.list("security-opt")) opts.push_back(BERTH_TRY(security_opt(o)));
        if (!opts.empty()) host_["SecurityOpt"] = opts;
        if (f_.has("group-add")) host_["GroupAdd"] = f_.list("group-add");
        for (auto [flag, field] : {std::pair{"ipc", "IpcMode"},
                                   {"pid", "PidMode"},
                                   {"uts", "UTSMode"},
                                   {"userns", "UsernsMode"},
                                   {"cgroupns", "CgroupnsMode"},
                                   {"runtime", "Runtime"},
                                   {"isolation", "Isolation"}})
            if (f_.has(flag)) host_[field] = f_.value(flag);
        if (f_.has("sysctl")) host_["Sysctls"] = key_values_to_object(f_.list("sysctl"));
        if (f_.has("dns")) host_["Dns"] = f_.list("dns");
        if (f_.has("dns-option")) host_["DnsOptions"] = f_.list("dns-option");
        if (f_.has("dns-search")) host_["DnsSearch"] = f_.list("dns-search");
        if (f_.has("add-host")) host_["ExtraHosts"] = f_.list("add-host");
        if (f_.has("link")) host_["Links"] = f_.list("link");
        return {};
    }

    // docker's parseSecurityOpts: a seccomp profile is sent as the file's content.
    Result<std::string> security_opt(const std::string& opt) {
        if (opt == "no-new-privileges") return opt;
        size_t sep = opt.find_first_of("=:");
        if (sep == std::string::npos) return fail("Invalid --security-opt: \"" + opt + "\"");
        std::string key = opt.substr(0, sep), value = opt.substr(sep + 1);
        if (key == "seccomp" && value != "unconfined") {
            auto text = read_file(value);
            if (!text)
                return fail("opening seccomp profile (" + value +
                            ") failed: " + text.error().message);
            auto json = parse_json(*text, value);
            if (!json)
                return fail("compacting json for seccomp profile (" + value +
                            ") failed: " + json.error().message);
            return "seccomp=" + json->dump();
        }
        return key + "=" + value;
    }

    Result<void> lifecycle() {
        bool auto_remove = f_.enabled("rm");
        std::string restart = f_.has("restart") ? f_.value("restart") : "no";
        if (auto_remove && restart != "no" && !restart.empty())
            return fail("Conflicting options: --restart and --rm");
        host_["RestartPolicy"] = BERTH_TRY(parse_restart_policy(restart));
        host_["AutoRemove"] = auto_remove;
        if (f_.has("init")) host_["Init"] = f_.enabled("init");
        Json log = {{"Type", f_.value("log-driver")},
                    {"Config", key_values_to_object(f_.list("log-opt"))}};
        host_["LogConfig"] = log;
        if (f_.has("cidfile")) host_["ContainerIDFile"] = f_.value("cidfile");
        return {};
    }

    Result<std::int64_t> duration(const std::string& name) {
        auto d = parse_go_duration(f_.value(name));
        if (!d) return invalid_flag_value(f_.value(name), "--" + name, d.error().message);
        if (*d < 0) return fail("--" + name + " cannot be negative");
        return *d;
    }

    Result<void> healthcheck() {
        bool any = false;
        for (const char* n : {"health-cmd", "health-interval", "health-timeout",
                              "health-start-period", "health-retries"})
            any = any || f_.has(n);
        if (f_.enabled("no-healthcheck")) {
            if (any) return fail("--no-healthcheck conflicts with --health-* options");
            config_["Healthcheck"] = {{"Test", {"NONE"}}};
            return {};
        }
        if (!any) return {};
        Json health = Json::object();
        if (f_.has("health-cmd") && !f_.value("health-cmd").empty())
            health["Test"] = {"CMD-SHELL", f_.value("health-cmd")};
        if (f_.has("health-interval")) health["Interval"] = BERTH_TRY(duration("health-interval"));
        if (f_.has("health-timeout")) health["Timeout"] = BERTH_TRY(duration("health-timeout"));
        if (f_.has("health-start-period"))
            health["StartPeriod"] = BERTH_TRY(duration("health-start-period"));
        if (f_.has("health-retries")) {
            auto retries = integer_value("health-retries");
            if (retries < 0) return fail("--health-retries cannot be negative");
            health["Retries"] = retries;
        }
        config_["Healthcheck"] = health;
        return {};
    }

    const ParsedFlags& f_;
    const EnvLookup& env_;
    bool for_run_;
    std::vector<FlagDef> defs_;
    Json config_ = Json::object();
    Json host_ = Json::object();
};

}  // namespace

Result<std::int64_t> bytes_flag(const ParsedFlags& flags, const std::string& name,
                                std::string_view title) {
    auto size = parse_size(flags.value(name));
    if (!size) return invalid_flag_value(flags.value(name), title, size.error().message);
    return *size;
}

std::vector<FlagDef> container_create_flags(bool for_run) {
    std::vector<FlagDef> defs = {
        list("add-host", "Add a custom host-to-IP mapping (host:ip)"),
        list("attach", "Attach to STDIN, STDOUT or STDERR", 'a'),
        typed("blkio-weight",
              "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)",
              "uint16"),
        list("blkio-weight-device", "Block IO weight (relative device weight) (default [])"),
        list("cap-add", "Add Linux capabilities"),
        list("cap-drop", "Drop Linux capabilities"),
        str("cgroup-parent", "Optional parent cgroup for the container"),
        str("cgroupns", "Cgroup namespace to use (host|private)"),
        str("cidfile", "Write the container ID to the file"),
        integer("cpu-period", "Limit CPU CFS (Completely Fair Scheduler) period"),
        integer("cpu-quota", "Limit CPU CFS (Completely Fair Scheduler) quota"),
        integer("cpu-rt-period", "Limit CPU real-time period in microseconds"),
        integer("cpu-rt-runtime", "Limit CPU real-time runtime in microseconds"),
        integer("cpu-shares", "CPU shares (relative weight)", 'c'),
        typed("cpus", "Number of CPUs", "decimal"),
        str("cpuset-cpus", "CPUs in which to allow execution (0-3, 0,1)"),
        str("cpuset-mems", "MEMs in which to allow execution (0-3, 0,1)"),
        list("device", "Add a host device to the container"),
        list("device-cgroup-rule", "Add a rule to the cgroup allowed devices list"),
        list("device-read-bps", "Limit read rate (bytes per second) from a device (default [])"),
        list("device-read-iops", "Limit read rate (IO per second) from a device (default [])"),
        list("device-write-bps", "Limit write rate (bytes per second) to a device (default [])"),
        list("device-write-iops", "Limit write rate (IO per second) to a device (default [])"),
        list("dns", "Set custom DNS servers"),
        list("dns-option", "Set DNS options"),
        list("dns-search", "Set custom DNS search domains"),
        str("domainname", "Container NIS domain name"),
        str("entrypoint", "Overwrite the default ENTRYPOINT of the image"),
        list("env", "Set environment variables", 'e'),
        list("env-file", "Read in a file of environment variables"),
        list("expose", "Expose a port or a range of ports"),
        list("group-add", "Add additional groups to join"),
        str("health-cmd", "Command to run to check health"),
        typed("health-interval", "Time between running the check (ms|s|m|h) (default 0s)",
              "duration"),
        integer("health-retries", "Consecutive failures needed to report unhealthy"),
        typed("health-start-period",
              "Start period for the container to initialize before starting health-retries "
              "countdown (ms|s|m|h) "
              "(default 0s)",
              "duration"),
        typed("health-timeout", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)",
              "duration"),
        str("hostname", "Container host name", 'h'),
        boolean("init",
                "Run an init inside the container that forwards signals and reaps processes"),
        boolean("interactive", "Keep STDIN open even if not attached", 'i'),
        str("ip", "IPv4 address (e.g., 172.30.100.104)"),
        str("ip6", "IPv6 address (e.g., 2001:db8::33)"),
        str("ipc", "IPC mode to use"),
        str("isolation", "Container isolation technology"),
        typed("kernel-memory", "Kernel memory limit", "bytes"),
        list("label", "Set meta data on a container", 'l'),
        list("label-file", "Read in a line delimited file of labels"),
        list("link", "Add link to another container"),
        list("link-local-ip", "Container IPv4/IPv6 link-local addresses"),
        str("log-driver", "Logging driver for the container"),
        list("log-opt", "Log driver options"),
        str("mac-address", "Container MAC address (e.g., 92:d0:c6:0a:29:33)"),
        typed("memory", "Memory limit", "bytes", 'm'),
        typed("memory-reservation", "Memory soft limit", "bytes"),
        typed("memory-swap", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
              "bytes"),
        integer("memory-swappiness", "Tune container memory swappiness (0 to 100)", 0, "-1"),
        {.long_name = "mount",
         .kind = FlagDef::StringList,
         .help = "Attach a filesystem mount to the container",
         .type_name = "mount"},
        str("name", "Assign a name to the container"),
        {.long_name = "net", .kind = FlagDef::String, .help = "Connect a container to a network", .hidden = true,
         .type_name = "network"},
        {.long_name = "net-alias",
         .kind = FlagDef::StringList,
         .help = "Add network-scoped alias for the container",
         .hidden = true},
        typed("network", "Connect a container to a network", "network"),
        list("network-alias", "Add network-scoped alias for the container"),
        boolean("no-healthcheck", "Disable any container-specified HEALTHCHECK"),
        boolean("oom-kill-disable", "Disable OOM Killer"),
        integer("oom-score-adj", "Tune host's OOM preferences (-1000 to 1000)"),
        str("pid", "PID namespace to use"),
        integer("pids-limit", "Tune container pids limit (set -1 for unlimited)"),
        str("platform", "Set platform if server is multi-platform capable"),
        boolean("privileged", "Give extended privileges to this container"),
        list("publish", "Publish a container's port(s) to the host", 'p'),
        boolean("publish-all", "Publish all exposed ports to random ports", 'P'),
        str("pull", "Pull image before running (\"always\"|\"missing\"|\"never\")", 0, "missing"),
        boolean("read-only", "Mount the container's root filesystem as read only"),
        str("restart", "Restart policy to apply when a container exits", 0, "no"),
        boolean("rm", "Automatically remove the container when it exits"),
        str("runtime", "Runtime to use for this container"),
        list("security-opt", "Security Options"),
        typed("shm-size", "Size of /dev/shm", "bytes"),
        str("stop-signal", "Signal to stop a container", 0, "SIGTERM"),
        integer("stop-timeout", "Timeout (in seconds) to stop a container"),
        list("storage-opt", "Storage driver options for the container"),
        {.long_name = "sysctl",
         .kind = FlagDef::StringList,
         .default_value = "map[]",
         .help = "Sysctl options",
         .type_name = "map"},
        list("tmpfs", "Mount a tmpfs directory"),
        boolean("tty", "Allocate a pseudo-TTY", 't'),
        {.long_name = "ulimit",
         .kind = FlagDef::StringList,
         .default_value = "[]",
         .help = "Ulimit options",
         .type_name = "ulimit"},
        str("user", "Username or UID (format: <name|uid>[:<group|gid>])", 'u'),
        str("userns", "User namespace to use"),
        str("uts", "UTS namespace to use"),
        list("volume", "Bind mount a volume", 'v'),
        str("volume-driver", "Optional volume driver for the container"),
        list("volumes-from", "Mount volumes from the specified container(s)"),
        str("workdir", "Working directory inside the container", 'w'),
    };
    if (for_run) {
        defs.push_back(
            boolean("detach", "Run container in background and print container ID", 'd'));
        defs.push_back(str("detach-keys", "Override the key sequence for detaching a container"));
        defs.push_back(boolean("sig-proxy", "Proxy received signals to the process", 0, "true"));
    }
    return defs;
}

Result<void> check_create_flags(const ParsedFlags& flags) {
    auto defs = container_create_flags(true);
    for (const auto& def : defs)
        if (def.type_name == "bytes" && def.long_name != "memory-swap" && flags.has(def.long_name))
            BERTH_TRY(bytes_flag(flags, def.long_name, title_of(defs, def.long_name)));
    using Check = Result<Json> (*)(std::string_view);
    auto each = [&](const std::string& name, Check check) -> Result<void> {
        for (const auto& v : flags.list(name))
            if (auto r = check(v); !r)
                return invalid_flag_value(v, title_of(defs, name), r.error().message);
        return {};
    };
    if (flags.has("memory-swap"))
        if (auto swap = parse_memory_swap(flags.value("memory-swap")); !swap)
            return invalid_flag_value(flags.value("memory-swap"), "--memory-swap",
                                      swap.error().message);
    if (flags.has("cpus"))
        if (auto cpus = parse_nano_cpus(flags.value("cpus")); !cpus)
            return invalid_flag_value(flags.value("cpus"), "--cpus", cpus.error().message);
    BERTH_TRYV(each("ulimit", parse_ulimit));
    BERTH_TRYV(each("mount", parse_mount));
    BERTH_TRYV(each("device", parse_device));
    BERTH_TRYV(each("blkio-weight-device", parse_weight_device));
    BERTH_TRYV(each("device-read-bps",
                    [](std::string_view v) { return parse_throttle_device(v, false); }));
    BERTH_TRYV(each("device-write-bps",
                    [](std::string_view v) { return parse_throttle_device(v, false); }));
    BERTH_TRYV(each("device-read-iops",
                    [](std::string_view v) { return parse_throttle_device(v, true); }));
    BERTH_TRYV(each("device-write-iops",
                    [](std::string_view v) { return parse_throttle_device(v, true); }));
    for (const auto& a : flags.list("attach")) {
        std::string s = a;
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (s != "stdin" && s != "stdout" && s != "stderr")
            return invalid_flag_value(a, "-a, --attach",
                                      "valid streams are STDIN, STDOUT and STDERR");
    }
    return {};
}

Result<CreateRequest> container_create_request(const ParsedFlags& flags, const EnvLookup& env,
                                               bool for_run) {
    if (flags.args.empty()) return fail("no image given");
    return RequestBuilder(flags, env, for_run).build();
}

}  // namespace berth::cli

#include "cli/berth/container_opts.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
    std::uint64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v > max)
        return std::nullopt;
    return v;
}

bool has_space(std::string_view s) {
    for (char c : s)
        if (std::isspace(static_cast<unsigned char>(c))) return true;
    return false;
}

// nat.ParsePortRange: "80" or "8000-8010".
std::optional<std::pair<std::uint64_t, std::uint64_t>> port_range(std::string_view text) {
    size_t dash = text.find('-');
    auto start = parse_uint(text.substr(0, dash), 65535);
    if (!start) return std::nullopt;
    if (dash == std::string_view::npos) return std::pair{*start, *start};
    auto end = parse_uint(text.substr(dash + 1), 65535);
    if (!end || *end < *start) return std::nullopt;
    return std::pair{*start, *end};
}

// nat.SplitProtoPort: "80/udp" -> ("udp", "80"); "80" -> ("tcp", "80").
std::pair<std::string, std::string> split_proto_port(std::string_view raw) {
    size_t slash = raw.find('/');
    if (raw.empty() || slash == 0) return {"", ""};
    if (slash == std::string_view::npos || slash + 1 == raw.size())
        return {"tcp", std::string(raw.substr(0, slash))};
    std::string proto(raw.substr(slash + 1));
    for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return {proto, std::string(raw.substr(0, slash))};
}

bool valid_proto(std::string_view p) {
    return p == "tcp" || p == "udp" || p == "sctp";
}

bool valid_ip(const std::string& ip) {
    unsigned char buf[16];
    return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

bool valid_device_mode(std::string_view mode) {
    if (mode.empty() || mode.size() > 3) return false;
    std::string seen;
    for (char c : mode) {
        if ((c != 'r' && c != 'w' && c != 'm') || seen.find(c) != std::string::npos) return false;
        seen += c;
    }
    return true;
}

// go-units' ulimit names.
constexpr std::string_view kUlimitNames[] = {
    "as",   "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue",
    "nice", "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};

Result<bool> parse_bool_value(std::string_view key, std::string_view value) {
    if (value == "1" || value == "true" || value == "True" || value == "TRUE" || value == "t" ||
        value == "T")
        return true;
    if (value == "0" || value == "false" || value == "False" || value == "FALSE" || value == "f" ||
        value == "F")
        return false;
    return fail("invalid value for " + std::string(key) + ": " + std::string(value));
}

}  // namespace

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

std::string env_entry(std::string_view value, const EnvLookup& env) {
    if (value.find('=') != std::string_view::npos) return std::string(value);
    if (auto found = env(std::string(value))) return std::string(value) + "=" + *found;
    return std::string(value);
}

Result<std::vector<std::string>> parse_key_value_lines(std::string_view text,
                                                       const EnvLookup* env) {
    std::vector<std::string> out;
    for (const auto& raw : split(text, '\n')) {
        std::string_view line = raw;
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
            line.remove_prefix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        size_t eq = line.find('=');
        std::string_view name = line.substr(0, eq);
        if (has_space(name))
            return fail("variable '" + std::string(name) + "' contains whitespaces");
        if (eq == std::string_view::npos && env)
            out.push_back(env_entry(name, *env));
        else
            out.emplace_back(line);
    }
    return out;
}

Result<std::vector<std::string>> read_key_value_file(const std::string& path,
                                                     const EnvLookup* env) {
    std::string text = BERTH_TRY(read_file(path));
    return parse_key_value_lines(text, env);
}

Result<std::int64_t> parse_nano_cpus(std::string_view text) {
    auto not_rational = [&] {
        return fail("failed to parse " + std::string(text) + " as a rational number");
    };
    std::string_view s = text;
    bool negative = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    if (whole.empty() && frac.empty()) return not_rational();
    for (char c : std::string(whole) + std::string(frac))
        if (!std::isdigit(static_cast<unsigned char>(c))) return not_rational();
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
    if (frac.size() > 9) return fail("value is too precise");
    auto w = whole.empty() ? std::optional<std::uint64_t>(0) : parse_uint(whole, 9'000'000'000ULL);
    if (!w) return not_rational();
    std::string frac9(frac);
    frac9.resize(9, '0');
    std::int64_t nanos = static_cast<std::int64_t>(*w) * 1'000'000'000 +
                         static_cast<std::int64_t>(*parse_uint(frac9, ~0ULL));
    return negative ? -nanos : nanos;
}

Result<std::int64_t> parse_memory_swap(std::string_view text) {
    if (text == "-1") return -1;
    return parse_size(text);
}

Result<Json> parse_ulimit(std::string_view text) {
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) return fail("invalid ulimit argument: " + std::string(text));
    std::string name(text.substr(0, eq));
    bool known = false;
    for (auto n : kUlimitNames) known = known || n == name;
    if (!known) return fail("invalid ulimit type: " + name);
    auto limits = split(text.substr(eq + 1), ':');
    if (limits.size() > 2)
        return fail("too many limit value arguments - " + std::string(text.substr(eq + 1)) +
                    ", can only have up to two, `soft[:hard]`");
    auto soft = parse_int(limits[0]);
    if (!soft) return fail("invalid ulimit soft value: " + limits[0]);
    auto hard = soft;
    if (limits.size() == 2) {
        hard = parse_int(limits[1]);
        if (!hard) return fail("invalid ulimit hard value: " + limits[1]);
        if (*soft > *hard)
            return fail("ulimit soft limit must be less than or equal to hard limit: " + limits[0] +
                        " > " + limits[1]);
    }
    return Json{{"Name", name}, {"Hard", *hard}, {"Soft", *soft}};
}

Result<void> add_published_port(PortSet& ports, std::string_view spec) {
    auto parts = split(spec, ':');
    std::string ip, host_port, container_port = parts.back();
    if (parts.size() == 2) host_port = parts[0];
    if (parts.size() >= 3) {
        host_port = parts[parts.size() - 2];
        ip = join(std::vector<std::string>(parts.begin(), parts.end() - 2), ":");
    }
    if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (!ip.empty() && !valid_ip(ip)) return fail("Invalid ip address: " + ip);
    auto [proto, port] = split_proto_port(container_port);
    if (port.empty()) return fail("No port specified: " + std::string(spec) + "<empty>");
    auto range = port_range(port);
    if (!range) return fail("Invalid containerPort: " + port);
    std::pair<std::uint64_t, std::uint64_t> host_range{0, 0};
    if (!host_port.empty()) {
        auto hr = port_range(host_port);
        if (!hr) return fail("Invalid hostPort: " + host_port);
        host_range = *hr;
        if (range->second - range->first != hr->second - hr->first && range->first != range->second)
            return fail("Invalid ranges specified for container and host Ports: " + port + " and " +
                        host_port);
    }
    if (!valid_proto(proto)) return fail("Invalid proto: " + proto);
    for (std::uint64_t i = 0; i <= range->second - range->first; ++i) {
        std::string key = std::to_string(range->first + i) + "/" + proto;
        std::string host;
        if (!host_port.empty()) host = std::to_string(host_range.first + i);
        if (range->first == range->second && host_range.first != host_range.second)
            host += "-" + std::to_string(host_range.second);
        ports.exposed[key] = Json::object();
        ports.bindings[key].push_back(Json{{"HostIp", ip}, {"HostPort", host}});
    }
    return {};
}

Result<void> add_exposed_port(PortSet& ports, std::string_view spec) {
    auto [proto, port] = split_proto_port(spec);
    auto range = port_range(port);
    if (!range) return fail("invalid range format for --expose: " + std::string(spec));
    if (!valid_proto(proto)) return fail("Invalid proto: " + proto);
    for (std::uint64_t p = range->first; p <= range->second; ++p) {
        std::string key = std::to_string(p) + "/" + proto;
        if (!ports.exposed.contains(key)) ports.exposed[key] = Json::object();
    }
    return {};
}

Result<Json> parse_mount(std::string_view spec) {
    Json mount = {{"Type", "volume"}};
    Json bind_options = Json::object(), volume_options = Json::object(),
         tmpfs_options = Json::object();
    for (const auto& field : split(spec, ',')) {
        size_t eq = field.find('=');
        std::string key = std::string(trim(field.substr(0, eq)));
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = eq == std::string::npos
                                ? ""
                                : std::string(trim(std::string_view(field).substr(eq + 1)));
        if (eq == std::string::npos) {
            if (key == "readonly" || key == "ro")
                mount["ReadOnly"] = true;
            else if (key == "volume-nocopy")
                volume_options["NoCopy"] = true;
            else if (key == "bind-nonrecursive")
                bind_options["NonRecursive"] = true;
            else
                return fail("invalid field '" + field + "' must be a key=value pair");
            continue;
        }
        if (key == "type")
            mount["Type"] = value;
        else if (key == "source" || key == "src")
            mount["Source"] = value;
        else if (key == "target" || key == "dst" || key == "destination")
            mount["Target"] = value;
        else if (key == "readonly" || key == "ro")
            mount["ReadOnly"] = BERTH_TRY(parse_bool_value(key, value));
        else if (key == "consistency")
            mount["Consistency"] = value;
        else if (key == "bind-propagation")
            bind_options["Propagation"] = value;
        else if (key == "bind-nonrecursive")
            bind_options["NonRecursive"] = BERTH_TRY(parse_bool_value(key, value));
        else if (key == "volume-nocopy")
            volume_options["NoCopy"] = BERTH_TRY(parse_bool_value(key, value));
        else if (key == "volume-driver")
            volume_options["DriverConfig"]["Name"] = value;
        else if (key == "volume-label" || key == "volume-opt") {
            size_t e = value.find('=');
            auto& target = key == "volume-label" ? volume_options["Labels"]
                                                 : volume_options["DriverConfig"]["Options"];
            target[value.substr(0, e)] = e == std::string::npos ? "" : value.substr(e + 1);
        } else if (key == "tmpfs-size") {
            auto size = parse_size(value);
            if (!size) return fail("invalid value for " + key + ": " + value);
            tmpfs_options["SizeBytes"] = *size;
        } else if (key == "tmpfs-mode") {
            auto mode = parse_uint(value, 07777777777);
            char* end = nullptr;
            unsigned long octal = std::strtoul(value.c_str(), &end, 8);
            if (!mode || value.empty() || *end != '\0')
                return fail("invalid value for " + key + ": " + value);
            tmpfs_options["Mode"] = octal;
        } else
            return fail("unexpected key '" + key + "' in '" + field + "'");
    }
    std::string type = mount["Type"];
    if (!mount.contains("Target")) return fail("target is required");
    if (!bind_options.empty() && type != "bind")
        return fail("cannot mix 'bind-*' options with mount type '" + type + "'");
    if (!volume_options.empty() && type != "volume")
        return fail("cannot mix 'volume-*' options with mount type '" + type + "'");
    if (!tmpfs_options.empty() && type != "tmpfs")
        return fail("cannot mix 'tmpfs-*' options with mount type '" + type + "'");
    if (!bind_options.empty()) mount["BindOptions"] = bind_options;
    if (!volume_options.empty()) mount["VolumeOptions"] = volume_options;
    if (!tmpfs_options.empty()) mount["TmpfsOptions"] = tmpfs_options;
    return mount;
}

Result<VolumeSpec> parse_volume(std::string_view spec) {
    if (spec.empty()) return fail("invalid empty volume spec");
    if (spec.find(':') != std::string_view::npos) return VolumeSpec{true, std::string(spec)};
    return VolumeSpec{false, std::string(spec)};
}

Result<std::pair<std::string, std::string>> parse_tmpfs(std::string_view spec) {
    size_t colon = spec.find(':');
    std::string path(spec.substr(0, colon));
    if (path.empty() || path[0] != '/')
        return fail("invalid tmpfs specification: " + std::string(spec));
    return std::pair{path, colon == std::string_view::npos ? std::string()
                                                           : std::string(spec.substr(colon + 1))};
}

Result<Json> parse_device(std::string_view spec) {
    auto parts = split(spec, ':');
    std::string src, dst, permissions = "rwm";
    switch (parts.size()) {
        case 3:
            if (!valid_device_mode(parts[2])) return fail("bad mode specified: " + parts[2]);
            permissions = parts[2];
            [[fallthrough]];
        case 2:
            if (valid_device_mode(parts[1]))
                permissions = parts[1];
            else
                dst = parts[1];
            [[fallthrough]];
        case 1:
            src = parts[0];
            break;
        default:
            return fail("invalid device specification: " + std::string(spec));
    }
    if (dst.empty()) dst = src;
    if (dst.empty() || dst[0] != '/') return fail("bad format for path: " + dst);
    return Json{{"PathOnHost", src}, {"PathInContainer", dst}, {"CgroupPermissions", permissions}};
}

Result<Json> parse_throttle_device(std::string_view spec, bool iops) {
    auto parts = split(spec, ':');
    if (parts.size() != 2) return fail("bad format: " + std::string(spec));
    if (!parts[0].starts_with("/dev/"))
        return fail("bad format for device path: " + std::string(spec));
    if (iops) {
        auto rate = parse_uint(parts[1], ~0ULL);
        if (!rate)
            return fail("invalid rate for device: " + std::string(spec) +
                        ". The correct format is <device-path>:<number>. Number must be a positive "
                        "integer");
        return Json{{"Path", parts[0]}, {"Rate", *rate}};
    }
    auto rate = parse_size(parts[1]);
    if (!rate || *rate < 0)
        return fail("invalid rate for device: " + std::string(spec) +
                    ". The correct format is <device-path>:<number>[<unit>]. Number must be a "
                    "positive integer. "
                    "Unit is optional and can be kb, mb, or gb");
    return Json{{"Path", parts[0]}, {"Rate", *rate}};
}

Result<Json> parse_weight_device(std::string_view spec) {
    auto parts = split(spec, ':');
    if (parts.size() != 2 || !parts[0].starts_with("/dev/"))
        return fail("bad format: " + std::string(spec));
    auto weight = parse_uint(parts[1], 65535);
    if (!weight || (*weight > 0 && (*weight < 10 || *weight > 1000)))
        return fail("invalid weight for device: " + std::string(spec));
    return Json{{"Path", parts[0]}, {"Weight", *weight}};
}

Result<Json> parse_restart_policy(std::string_view text) {
    auto parts = split(text, ':');
    if (parts.size() > 2) return fail("invalid restart policy format");
    Json policy = {{"Name", parts[0]}, {"MaximumRetryCount", 0}};
    if (parts.size() == 2) {
        auto count = parse_int(parts[1]);
        if (!count) return fail("maximum retry count must be an integer");
        policy["MaximumRetryCount"] = *count;
    }
    return policy;
}

Json key_values_to_object(const std::vector<std::string>& entries) {
    Json out = Json::object();
    for (const auto& e : entries) {
        size_t eq = e.find('=');
        out[e.substr(0, eq)] = eq == std::string::npos ? "" : e.substr(eq + 1);
    }
    return out;
}

}  // namespace berth::cli

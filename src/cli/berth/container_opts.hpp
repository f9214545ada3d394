// The values of docker's container flags (run, create, update, exec) turned into
// the API's JSON shapes, with the errors docker's opts package words.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::cli {

// Looks a variable up in the environment (tests pass their own).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// -e NAME=value as given; a bare NAME takes its value from the environment
// ("NAME=value") and stays bare when unset, as docker's ValidateEnv.
std::string env_entry(std::string_view value, const EnvLookup& env);

// The lines of an --env-file / --label-file (docker's parseKeyValueFile): blank
// lines and #-comments skipped, leading space trimmed; NAME=value kept; a bare NAME
// goes through env_entry when `env` is set. A name with whitespace is the error
// "variable 'NAME x' contains whitespaces".
Result<std::vector<std::string>> parse_key_value_lines(std::string_view text, const EnvLookup* env);
Result<std::vector<std::string>> read_key_value_file(const std::string& path, const EnvLookup* env);

// --cpus "1.5" -> 1500000000 NanoCPUs (exact decimal; "value is too precise" past 9 places).
Result<std::int64_t> parse_nano_cpus(std::string_view text);

// --memory-swap: "-1" (unlimited) or a size.
Result<std::int64_t> parse_memory_swap(std::string_view text);

// --ulimit "nofile=1024:2048" -> {"Name":"nofile","Soft":1024,"Hard":2048}.
Result<Json> parse_ulimit(std::string_view text);

// -p/--publish and --expose, accumulated into Config.ExposedPorts ({"80/tcp":{}})
// and HostConfig.PortBindings ({"80/tcp":[{"HostIp":"","HostPort":"8080"}]}).
struct PortSet {
    Json exposed = Json::object();
    Json bindings = Json::object();
};
// "[ip:][hostPort:]containerPort[/proto]" with ranges ("8000-8001:80-81") and
// bracketed IPv6 ("[::1]:80:80").
Result<void> add_published_port(PortSet& ports, std::string_view spec);
// "80", "80/udp", "8000-8010/tcp".
Result<void> add_exposed_port(PortSet& ports, std::string_view spec);

// --mount "type=bind,source=/a,target=/b,readonly" -> a HostConfig.Mounts entry.
Result<Json> parse_mount(std::string_view spec);

// -v: "SRC:DST[:OPTS]" goes to HostConfig.Binds, a lone "DST" to Config.Volumes.
struct VolumeSpec {
    bool is_bind = false;
    std::string value;  // the Binds entry, or the anonymous volume's path
};
Result<VolumeSpec> parse_volume(std::string_view spec);

// --tmpfs "/run:rw,size=64m" -> ("/run", "rw,size=64m").
Result<std::pair<std::string, std::string>> parse_tmpfs(std::string_view spec);

// --device "/dev/x[:/dev/y][:rwm]" -> {"PathOnHost","PathInContainer","CgroupPermissions"}.
Result<Json> parse_device(std::string_view spec);

// --device-read-bps "/dev/sda:1mb" -> {"Path":"/dev/sda","Rate":1048576}; with
// `iops` the rate is a plain unsigned number.
Result<Json> parse_throttle_device(std::string_view spec, bool iops);
// --blkio-weight-device "/dev/sda:200" -> {"Path":"/dev/sda","Weight":200}.
Result<Json> parse_weight_device(std::string_view spec);

// --restart "no" | "always" | "unless-stopped" | "on-failure[:N]" ->
// {"Name":...,"MaximumRetryCount":N}.
Result<Json> parse_restart_policy(std::string_view text);

// "k=v" list entries (labels, log options, sysctls) into an object; a bare "k" maps
// to "" (labels) .
Json key_values_to_object(const std::vector<std::string>& entries);

}  // namespace berth::cli

// TEMPORARY interface copy until the spec branch merges (not to be committed to main).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "base/json.hpp"
#include "base/result.hpp"
#include "image/image_config.hpp"
namespace berth::engine {
struct RestartPolicy { std::string name; int maximum_retry_count = 0; };
struct LogConfig { std::string type = "json-file"; std::map<std::string, std::string> config; };
struct HealthSettings { std::vector<std::string> test; std::int64_t interval_ns=0, timeout_ns=0, start_period_ns=0; int retries=0; };
struct ContainerSettings {
    Json config; Json host_config; Json networking_config;
    std::string image;
    std::vector<std::string> entrypoint, cmd, env;
    std::string working_dir, user, hostname, domainname, stop_signal;
    std::optional<int> stop_timeout;
    bool tty=false, open_stdin=false, stdin_once=false, attach_stdin=false, attach_stdout=false, attach_stderr=false;
    std::map<std::string,std::string> labels;
    RestartPolicy restart; bool auto_remove=false; LogConfig log;
    std::optional<HealthSettings> healthcheck;
    std::string network_mode;
    bool init=false; bool privileged=false; bool read_only=false;
};
Result<ContainerSettings> parse_create_request(const Json& body);
void merge_image_config(ContainerSettings& s, const image::ContainerConfig& image_config);
Result<ContainerSettings> settings_from_json(const Json& config, const Json& host_config, const Json& networking_config);
Result<std::vector<std::string>> apply_update(ContainerSettings& s, const Json& body);
}

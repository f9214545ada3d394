// The image's defaults under the container's Config, following dockerd's
// daemon/commit.go merge(): the request wins field by field.
#include <algorithm>

#include "engine/container_settings.hpp"
#include "engine/container_settings_internal.hpp"

namespace berth::engine {

namespace {

std::string env_key(const std::string& entry) { return entry.substr(0, entry.find('=')); }

bool empty_value(const Json& j) { return j.is_null() || (j.is_array() || j.is_object() ? j.empty() : false); }

Json set_as_object(const std::set<std::string>& keys) {
    Json o = Json::object();
    for (auto& k : keys) o[k] = Json::object();
    return o;
}

void merge_set(Json& into, const std::set<std::string>& image_keys) {
    if (image_keys.empty()) return;
    if (empty_value(into)) {
        into = set_as_object(image_keys);
        return;
    }
    for (auto& k : image_keys)
        if (!into.contains(k)) into[k] = Json::object();
}

Json health_json(const image::HealthConfig& h) {
    Json j = {{"Test", h.test}};
    if (h.interval) j["Interval"] = h.interval;
    if (h.timeout) j["Timeout"] = h.timeout;
    if (h.start_period) j["StartPeriod"] = h.start_period;
    if (h.retries) j["Retries"] = h.retries;
    return j;
}

void merge_health(Json& c, const std::optional<image::HealthConfig>& image_health) {
    if (!image_health) return;
    if (!c.contains("Healthcheck")) {
        c["Healthcheck"] = health_json(*image_health);
        return;
    }
    auto& h = c["Healthcheck"];
    if (!h.contains("Test") || empty_value(h["Test"])) h["Test"] = image_health->test;
    auto fill = [&](const char* k, std::int64_t v) {
        if ((!h.contains(k) || h[k].is_null() || h[k] == 0) && v != 0) h[k] = v;
    };
    fill("Interval", image_health->interval);
    fill("Timeout", image_health->timeout);
    fill("StartPeriod", image_health->start_period);
    fill("Retries", image_health->retries);
}

void merge_env(Json& c, const std::vector<std::string>& image_env) {
    if (empty_value(c["Env"])) {
        c["Env"] = image_env;
        return;
    }
    std::vector<std::string> keys;
    for (auto& e : c["Env"]) keys.push_back(env_key(e.get<std::string>()));
    for (auto& e : image_env)
        if (std::ranges::find(keys, env_key(e)) == keys.end()) c["Env"].push_back(e);
}

}  // namespace

void merge_image_config(ContainerSettings& s, const image::ContainerConfig& img) {
    Json& c = s.config;
    if (c["User"] == "") c["User"] = img.user;
    if (!img.exposed_ports.empty()) {
        Json ports = c.value("ExposedPorts", Json());
        merge_set(ports, img.exposed_ports);
        c["ExposedPorts"] = ports;
    }
    merge_env(c, img.env);
    if (!c["Labels"].is_object()) c["Labels"] = Json::object();
    for (auto& [k, v] : img.labels)
        if (!c["Labels"].contains(k)) c["Labels"][k] = v;
    // A given Entrypoint (even [""]) means the image's Cmd was written for
    // another entrypoint: it is dropped, not reused.
    if (empty_value(c["Entrypoint"])) {
        if (empty_value(c["Cmd"])) {
            c["Cmd"] = img.cmd ? Json(*img.cmd) : Json();
            if (img.args_escaped) c["ArgsEscaped"] = true;
        }
        if (c["Entrypoint"].is_null()) c["Entrypoint"] = img.entrypoint ? Json(*img.entrypoint) : Json();
    }
    merge_health(c, img.healthcheck);
    if (c["WorkingDir"] == "") c["WorkingDir"] = img.working_dir;
    merge_set(c["Volumes"], img.volumes);
    if (c.value("StopSignal", std::string()).empty() && !img.stop_signal.empty())
        c["StopSignal"] = img.stop_signal;
    detail::refresh_typed_view(s);
}

}  // namespace berth::engine

#include "monitor/monitor_config.hpp"

namespace berth::monitor {

Result<MonitorConfig> parse_monitor_config(const Json& j) {
    try {
        MonitorConfig c;
        c.id = j.at("id").get<std::string>();
        c.bundle = j.at("bundle").get<std::string>();
        c.runtime_root = j.at("runtime_root").get<std::string>();
        c.tty = j.value("tty", false);
        c.open_stdin = j.value("open_stdin", false);
        c.stdin_once = j.value("stdin_once", false);
        if (auto it = j.find("log"); it != j.end() && !it->is_null()) {
            LogConfig l;
            l.path = it->at("path").get<std::string>();
            l.limits.max_size = it->value("max_size", std::int64_t{0});
            l.limits.max_file = it->value("max_file", 1);
            if (l.limits.max_size < 0) return fail("log.max_size: must not be negative");
            if (l.limits.max_file < 1) return fail("log.max_file: must be at least 1");
            c.log = std::move(l);
        }
        if (c.id.empty()) return fail("id: must not be empty");
        return c;
    } catch (const Json::exception& e) {
        return fail(std::string("monitor.json: ") + e.what());
    }
}

Json monitor_config_json(const MonitorConfig& c) {
    Json j{{"id", c.id},
           {"bundle", c.bundle},
           {"runtime_root", c.runtime_root},
           {"tty", c.tty},
           {"open_stdin", c.open_stdin},
           {"stdin_once", c.stdin_once},
           {"log", nullptr}};
    if (c.log)
        j["log"] = Json{{"path", c.log->path},
                        {"max_size", c.log->limits.max_size},
                        {"max_file", c.log->limits.max_file}};
    return j;
}

}  // namespace berth::monitor

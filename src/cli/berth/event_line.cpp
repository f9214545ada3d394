#include "cli/berth/event_line.hpp"

#include <map>

#include "base/time.hpp"

namespace berth::cli {

std::string event_line(const Json& event) {
    std::string out;
    std::int64_t nanos = event.value("timeNano", std::int64_t{0});
    std::int64_t secs = event.value("time", std::int64_t{0});
    if (nanos != 0) out = rfc3339(nanos / 1000000000, static_cast<long>(nanos % 1000000000)) + " ";
    else if (secs != 0) out = rfc3339(secs) + " ";
    Json actor = event.value("Actor", Json::object());
    out += event.value("Type", "") + " " + event.value("Action", "") + " " + actor.value("ID", "");
    Json attributes = actor.value("Attributes", Json::object());
    if (attributes.is_object() && !attributes.empty()) {
        // nlohmann's objects iterate in key order, as docker sorts them.
        std::string attrs;
        for (const auto& [key, value] : attributes.items())
            attrs += (attrs.empty() ? "" : ", ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
        out += " (" + attrs + ")";
    }
    return out + "\n";
}

Json event_template_data(Json event) {
    static const std::map<std::string, std::string> renames = {
        {"status", "Status"}, {"id", "ID"}, {"from", "From"}, {"scope", "Scope"}, {"time", "Time"}, {"timeNano", "TimeNano"}};
    for (const auto& [json_name, go_name] : renames) {
        auto it = event.find(json_name);
        if (it == event.end()) continue;
        event[go_name] = *it;
        event.erase(json_name);
    }
    return event;
}

}  // namespace berth::cli

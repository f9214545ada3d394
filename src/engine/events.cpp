#include "engine/events.hpp"

#include <time.h>

namespace berth::engine {

namespace {

std::int64_t now_nano() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool any_equal(const std::vector<std::string>& wanted, const std::string& v) {
    for (const auto& w : wanted)
        if (w == v) return true;
    return false;
}

}  // namespace

Json Event::to_json() const {
    Json attrs = Json::object();
    for (const auto& [k, v] : attributes) attrs[k] = v;
    Json j = {{"Type", type},
              {"Action", action},
              {"Actor", {{"ID", actor_id}, {"Attributes", attrs}}},
              {"scope", "local"},
              {"time", time_nano / 1'000'000'000},
              {"timeNano", time_nano}};
    // Clients before API 1.22 read these; docker still sends them for events about
    // one image or container (not for a daemon-wide one like an image prune).
    if ((type == "image" || type == "container") && !actor_id.empty()) {
        j["status"] = action;
        j["id"] = actor_id;
        auto from = attributes.find("image");
        if (from != attributes.end()) j["from"] = from->second;
    }
    return j;
}

bool labels_match(const std::vector<std::string>& wanted,
                  const std::map<std::string, std::string>& attrs) {
    for (const auto& w : wanted) {
        auto eq = w.find('=');
        auto it = attrs.find(w.substr(0, eq));
        if (it == attrs.end()) return false;
        if (eq != std::string::npos && it->second != w.substr(eq + 1)) return false;
    }
    return true;
}

bool event_matches(const Event& e, const EventFilters& filters) {
    for (const auto& [key, wanted] : filters) {
        if (wanted.empty()) continue;
        if (key == "type" && !any_equal(wanted, e.type)) return false;
        if (key == "event" && !any_equal(wanted, e.action)) return false;
        if (key == "label" && !labels_match(wanted, e.attributes)) return false;
        if (key == "container" && e.type != "container") return false;
        if (key == "image" || key == "container") {
            // An event names its object by ID, by "name", and a container event
            // also by the image it runs.
            auto attr = [&](const char* k) {
                auto it = e.attributes.find(k);
                return it != e.attributes.end() && any_equal(wanted, it->second);
            };
            bool hit = any_equal(wanted, e.actor_id) || attr("name") ||
                       (key == "image" && attr("image"));
            if (!hit) return false;
        }
    }
    return true;
}

void EventBus::publish(Event e) {
    {
        std::lock_guard lock(mu_);
        if (e.time_nano == 0) e.time_nano = now_nano();
        e.seq = ++seq_;
        ring_.push_back(std::move(e));
        if (ring_.size() > keep_) ring_.pop_front();
    }
    cv_.notify_all();
}

std::vector<Event> EventBus::wait_after(std::uint64_t after_seq,
                                        std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return seq_ > after_seq; });
    std::vector<Event> out;
    for (const auto& e : ring_)
        if (e.seq > after_seq) out.push_back(e);
    return out;
}

std::vector<Event> EventBus::recent() {
    std::lock_guard lock(mu_);
    return {ring_.begin(), ring_.end()};
}

std::uint64_t EventBus::last_seq() {
    std::lock_guard lock(mu_);
    return seq_;
}

Event network_event(const network::Network& n, const std::string& action, const std::string& container_id) {
    Event e;
    e.type = "network";
    e.action = action;
    e.actor_id = n.id;
    e.attributes["name"] = n.name;
    e.attributes["type"] = n.driver;
    if (!container_id.empty()) e.attributes["container"] = container_id;
    return e;
}

}  // namespace berth::engine

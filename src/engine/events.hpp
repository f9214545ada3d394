// The daemon's event stream (GET /events): every image, and later container, network
// and volume action is published here; subscribers get the recent past (for `since`)
// from a bounded ring and then wait for new events without polling.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "network/network.hpp"

namespace berth::engine {

struct Event {
    std::string type;    // "image", "container", ...
    std::string action;  // "tag", "untag", "delete", "load", "import", "save", ...
    std::string actor_id;
    std::map<std::string, std::string> attributes;
    std::int64_t time_nano = 0;
    std::uint64_t seq = 0;  // assigned by the bus, strictly increasing

    // The JSON shape of API 1.41 (with the legacy status/id/from fields docker fills).
    Json to_json() const;
};

// A network event as dockerd publishes it: create, destroy, and connect /
// disconnect (with the container's ID).
Event network_event(const network::Network& n, const std::string& action, const std::string& container_id = {});

// Docker's `filters` for events: type, event, image, container, label ("k" or "k=v").
using EventFilters = std::map<std::string, std::vector<std::string>>;

// Docker's `label` filter: every wanted "key" is present, every "key=value" equal.
bool labels_match(const std::vector<std::string>& wanted,
                  const std::map<std::string, std::string>& labels);

bool event_matches(const Event& e, const EventFilters& filters);

class EventBus {
  public:
    explicit EventBus(std::size_t keep = 1024) : keep_(keep) {}

    // Stamps time and sequence number (unless time is set) and wakes subscribers.
    void publish(Event e);

    // Events with seq > after_seq, at most waiting until `deadline` for one to come.
    // Returns an empty list on timeout.
    std::vector<Event> wait_after(std::uint64_t after_seq,
                                  std::chrono::steady_clock::time_point deadline);
    // Recent events kept in the ring, oldest first.
    std::vector<Event> recent();
    std::uint64_t last_seq();

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> ring_;
    std::size_t keep_;
    std::uint64_t seq_ = 0;
};

}  // namespace berth::engine

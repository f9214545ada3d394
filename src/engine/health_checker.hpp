// Healthchecks: each running container with a healthcheck is probed every interval
// by running its test inside it (through the monitor, as exec does); results go into
// its State.Health and a health_status event when the status changes. One thread
// schedules every container; each probe runs on its own short-lived thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "engine/container_settings.hpp"

namespace berth::engine {

class Daemon;

class HealthChecker {
  public:
    explicit HealthChecker(Daemon& d) : d_(d) {}
    ~HealthChecker();
    HealthChecker(const HealthChecker&) = delete;
    HealthChecker& operator=(const HealthChecker&) = delete;

    // Starts probing container `id` (just started) with `h`.
    void watch(const std::string& id, const HealthSettings& h);
    void forget(const std::string& id);

  private:
    using Clock = std::chrono::steady_clock;
    struct Item {
        HealthSettings h;
        Clock::time_point started, next;
        bool probing = false;
        std::uint64_t generation = 0;  // a forget+watch makes late probe results stale
    };
    void loop();
    void probe(const std::string& id, Item item);

    Daemon& d_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::string, Item> items_;
    std::uint64_t generation_ = 0;
    int probes_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

// Docker's defaults for fields left at 0.
inline constexpr std::int64_t kDefaultHealthInterval = 30'000'000'000, kDefaultHealthTimeout = 30'000'000'000;
inline constexpr int kDefaultHealthRetries = 3;

}  // namespace berth::engine

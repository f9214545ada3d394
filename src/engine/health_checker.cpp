#include "engine/health_checker.hpp"

#include "base/log.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "engine/daemon.hpp"

namespace berth::engine {

namespace {

std::chrono::nanoseconds or_default(std::int64_t ns, std::int64_t fallback) {
    return std::chrono::nanoseconds(ns > 0 ? ns : fallback);
}

// The probe's argv: CMD runs as given, CMD-SHELL through /bin/sh -c.
std::vector<std::string> probe_command(const HealthSettings& h) {
    if (h.test.empty()) return {};
    if (h.test[0] == "CMD") return {h.test.begin() + 1, h.test.end()};
    if (h.test[0] == "CMD-SHELL") {
        std::vector<std::string> rest(h.test.begin() + 1, h.test.end());
        return {"/bin/sh", "-c", join(rest, " ")};
    }
    return h.test;  // no prefix: docker takes it as CMD-SHELL only for strings; keep it literal
}

}  // namespace

HealthChecker::~HealthChecker() {
    std::unique_lock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return probes_ == 0; });
    lock.unlock();
    if (thread_.joinable()) thread_.join();
}

void HealthChecker::watch(const std::string& id, const HealthSettings& h) {
    std::lock_guard lock(mu_);
    if (stopping_ || probe_command(h).empty()) return;
    Item item;
    item.h = h;
    item.started = Clock::now();
    item.next = item.started + or_default(h.interval_ns, kDefaultHealthInterval);
    item.generation = ++generation_;
    items_[id] = item;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    cv_.notify_all();
}

void HealthChecker::forget(const std::string& id) {
    std::lock_guard lock(mu_);
    items_.erase(id);
}

void HealthChecker::loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        auto next = Clock::time_point::max();
        auto now = Clock::now();
        for (auto& [id, item] : items_) {
            if (item.probing) continue;
            if (item.next <= now) {
                item.probing = true;
                ++probes_;
                std::thread([this, id = id, copy = item] { probe(id, copy); }).detach();
            } else {
                next = std::min(next, item.next);
            }
        }
        if (next == Clock::time_point::max()) cv_.wait(lock);
        else cv_.wait_until(lock, next);
    }
}

void HealthChecker::probe(const std::string& id, Item item) {
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        or_default(item.h.timeout_ns, kDefaultHealthTimeout));
    HealthLogEntry entry;
    entry.start = rfc3339_now();
    auto r = d_.execs().run(id, probe_command(item.h), static_cast<int>(timeout.count()));
    entry.end = rfc3339_now();
    if (!r) {
        entry.exit_code = -1;
        entry.output = r.error().message;
    } else if (r->timed_out) {
        entry.exit_code = -1;
        entry.output = cat("Health check exceeded timeout (", timeout.count() / 1000, "s)");
    } else {
        entry.exit_code = r->exit_code;
        entry.output = r->output;
    }
    bool in_start_period =
        Clock::now() - item.started < std::chrono::nanoseconds(item.h.start_period_ns);
    int retries = item.h.retries > 0 ? item.h.retries : kDefaultHealthRetries;
    d_.containers().record_health(id, entry, retries, in_start_period);

    std::lock_guard lock(mu_);
    --probes_;
    auto it = items_.find(id);
    if (it != items_.end() && it->second.generation == item.generation) {
        it->second.probing = false;
        it->second.next = Clock::now() + or_default(item.h.interval_ns, kDefaultHealthInterval);
    }
    cv_.notify_all();
}

}  // namespace berth::engine

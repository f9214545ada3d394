// /containers/{id}/top and /containers/{id}/stats.
#include <chrono>
#include <optional>
#include <thread>

#include "api/api_errors.hpp"
#include "api/routes.hpp"
#include "base/text.hpp"
#include "engine/container_stats.hpp"
#include "engine/container_top.hpp"
#include "engine/daemon.hpp"
#include "runtime/container.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;

constexpr auto kStatsInterval = std::chrono::seconds(1);

Error not_running(const engine::Container& c) {
    if (c.state.status == engine::ContainerStatus::restarting)
        return Error{0,
                     cat("Container ", c.id, " is restarting, wait until the container is running"),
                     ErrorKind::conflict};
    return Error{0, cat("Container ", c.id, " is not running"), ErrorKind::conflict};
}

bool serving(const engine::Container& c) {
    return c.state.running() && c.state.status != engine::ContainerStatus::restarting;
}

void top(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto c = d.containers().get(req.params["id"]);
    if (!c) return send_error(w, c.error());
    if (!serving(*c)) return send_error(w, not_running(*c));
    auto pids = runtime::container_processes(d.containers().runtime_root(), c->id);
    if (!pids) return send_error(w, pids.error());
    auto out = engine::run_top(req.query_value("ps_args"), *pids);
    if (!out) return send_error(w, out.error());
    d.containers().publish(*c, "top");
    (void)w.send_json(200, *out);
}

// A docker boolean parameter with a default for when it is absent or empty.
bool bool_param(const Request& req, std::string_view name, bool fallback) {
    return req.query_value(name).empty() ? fallback : req.query_bool(name);
}

// Samples one container for as long as a response needs, reopening its cgroup
// after a restart. `pre` is the previous sample docker puts in precpu_stats.
class Sampler {
  public:
    Sampler(engine::Daemon& d, std::string id) : d_(d), id_(std::move(id)) {}

    // The stats object for now: zeroed when the container is not running. nullopt
    // once the container is gone (removed).
    std::optional<Json> next() {
        auto c = d_.containers().get(id_);
        if (!c) return std::nullopt;
        auto s = serving(*c) ? sample() : std::nullopt;
        if (!s) {
            source_.reset();
            pre_.reset();
            return engine::stats_json(c->id, c->name, nullptr, nullptr, 0);
        }
        auto j = engine::stats_json(c->id, c->name, &*s, pre_ ? &*pre_ : nullptr,
                                    engine::machine_memory());
        pre_ = std::move(s);
        return j;
    }

  private:
    std::optional<engine::StatsSample> sample() {
        if (!source_) {
            auto src = engine::StatsSource::open(d_.containers().runtime_root(), id_);
            if (!src) return std::nullopt;
            source_.emplace(std::move(*src));
        }
        auto s = source_->sample();
        if (!s) return std::nullopt;
        return std::move(*s);
    }

    engine::Daemon& d_;
    std::string id_;
    std::optional<engine::StatsSource> source_;
    std::optional<engine::StatsSample> pre_;
};

void stats(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto c = d.containers().get(req.params["id"]);
    if (!c) return send_error(w, c.error());
    bool stream = bool_param(req, "stream", true);
    bool one_shot = bool_param(req, "one-shot", false);
    if (stream && one_shot)
        return send_error(
            w, Error{0, "cannot have stream=true and one-shot=true", ErrorKind::invalid_argument});
    Sampler sampler(d, c->id);
    if (!stream) {
        auto j = sampler.next();
        // Without one-shot, docker waits for a second sample so precpu_stats is real
        // and a CPU percentage can be computed from this one answer.
        if (j && !one_shot && serving(*c)) {
            std::this_thread::sleep_for(kStatsInterval);
            j = sampler.next();
        }
        if (!j)
            return send_error(w, Error{0, cat("No such container: ", c->id), ErrorKind::not_found});
        (void)w.send_json(200, *j);
        return;
    }
    if (!w.start_chunked(200, "application/json")) return;
    for (;;) {
        auto j = sampler.next();
        if (!j || w.client_gone()) break;
        if (!w.write_chunk(j->dump() + "\n")) return;
        std::this_thread::sleep_for(kStatsInterval);
    }
    (void)w.end_chunked();
}

}  // namespace

void add_container_stats_routes(http::Router& r, engine::Daemon& d) {
    r.add("GET", "/containers/{id}/top", [&d](Request& req, ResponseWriter& w) { top(d, req, w); });
    r.add("GET", "/containers/{id}/stats",
          [&d](Request& req, ResponseWriter& w) { stats(d, req, w); });
}

}  // namespace berth::api

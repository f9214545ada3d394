// /containers/...: create, list, inspect, the lifecycle, wait, attach, logs, prune.
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "api/api_errors.hpp"
#include "api/attach_relay.hpp"
#include "api/container_json.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "base/log.hpp"
#include "base/stdcopy.hpp"
#include "base/stream.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "engine/daemon.hpp"
#include "engine/json_log_reader.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;
using engine::ContainerService;

Error bad_request(std::string message) { return Error{0, std::move(message), ErrorKind::invalid_argument}; }

// `t` of stop and restart: seconds, absent for the container's own timeout.
Result<std::optional<int>> stop_timeout(Request& req) {
    if (!req.has_query("t") || req.query_value("t").empty()) return std::optional<int>();
    auto t = req.query_int("t", 0);
    if (!t) return std::unexpected(bad_request(t.error().message));
    return std::optional<int>(static_cast<int>(*t));
}

void create(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "container config");
    if (!body) return send_error(w, body.error());
    auto r = d.containers().create(*body, req.query_value("name"));
    if (!r) return send_error(w, r.error());
    (void)w.send_json(201, {{"Id", r->id}, {"Warnings", r->warnings}});
}

void list(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto filters = req.filters();
    if (!filters) return send_error(w, bad_request(filters.error().message));
    auto keep = container_filter(*filters, d.containers(), d.images());
    if (!keep) return send_error(w, keep.error());
    auto limit = req.query_int("limit", -1);
    if (!limit) return send_error(w, bad_request(limit.error().message));
    bool all = req.query_bool("all") || *limit > 0;
    bool size = req.query_bool("size");
    auto containers = d.containers().list();
    std::sort(containers.begin(), containers.end(),
              [](const auto& a, const auto& b) { return a.created_ns > b.created_ns; });
    Json out = Json::array();
    for (const auto& c : containers) {
        if (!all && !c.state.running()) continue;
        if (!(*keep)(c)) continue;
        if (*limit > 0 && static_cast<long long>(out.size()) >= *limit) break;
        std::optional<SizeInfo> s;
        if (size) {
            auto rw = d.containers().size_rw(c.id);
            auto image = d.images().summary(c.image_id);
            s = SizeInfo{rw, rw + (image ? image->size : 0)};
        }
        out.push_back(container_summary_json(c, s));
    }
    (void)w.send_json(200, out);
}

void inspect(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto c = d.containers().get(req.params["id"]);
    if (!c) return send_error(w, c.error());
    auto dirs = d.images().layer_dirs(c->image_id);
    std::optional<SizeInfo> size;
    if (req.query_bool("size")) {
        auto s = d.images().summary(c->image_id);
        auto rw = d.containers().size_rw(c->id);
        size = SizeInfo{rw, rw + (s ? s->size : 0)};
    }
    auto j = container_inspect_json(*c, d.containers().paths(c->id), dirs ? *dirs : std::vector<std::string>{}, size);
    (void)w.send(200, "application/json", j.dump() + "\n");
}

void start(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto r = d.containers().start(req.params["id"]);
    if (!r) return send_error(w, r.error());
    (void)w.send(*r ? 204 : 304, "", "");
}

void stop(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto t = stop_timeout(req);
    if (!t) return send_error(w, t.error());
    auto r = d.containers().stop(req.params["id"], *t);
    if (!r) return send_error(w, r.error());
    (void)w.send(*r ? 204 : 304, "", "");
}

void restart(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto t = stop_timeout(req);
    if (!t) return send_error(w, t.error());
    auto r = d.containers().restart(req.params["id"], *t);
    if (!r) return send_error(w, r.error());
    (void)w.send(204, "", "");
}

void kill(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto r = d.containers().kill(req.params["id"], req.query_value("signal"));
    if (!r) return send_error(w, r.error());
    (void)w.send(204, "", "");
}

void pause(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto r = d.containers().pause(req.params["id"]);
    if (!r) return send_error(w, r.error());
    (void)w.send(204, "", "");
}

void unpause(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto r = d.containers().unpause(req.params["id"]);
    if (!r) return send_error(w, r.error());
    (void)w.send(204, "", "");
}

void wait(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto cond_text = req.query_value("condition");
    engine::WaitCondition cond = engine::WaitCondition::not_running;
    if (cond_text == "next-exit") cond = engine::WaitCondition::next_exit;
    else if (cond_text == "removed") cond = engine::WaitCondition::removed;
    else if (!cond_text.empty() && cond_text != "not-running")
        return send_error(w, bad_request(cat("invalid condition: \"", cond_text, "\"")));
    auto waiter = d.containers().wait(req.params["id"], cond);
    if (!waiter) return send_error(w, waiter.error());
    // The head goes out at once: the client knows its wait is registered before
    // it starts the container (docker run relies on that).
    if (!w.start_chunked(200, "application/json")) return;
    auto r = (*waiter)();
    Json body = {{"StatusCode", r.status_code}, {"Error", nullptr}};
    if (!r.error.empty()) body["Error"] = {{"Message", r.error}};
    if (w.write_chunk(body.dump() + "\n")) (void)w.end_chunked();
}

void remove(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto r = d.containers().remove(req.params["id"], req.query_bool("force"), req.query_bool("v"));
    if (!r) return send_error(w, r.error());
    (void)w.send(204, "", "");
}

void rename(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto r = d.containers().rename(req.params["id"], req.query_value("name"));
    if (!r) return send_error(w, r.error());
    (void)w.send(204, "", "");
}

void resize(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto h = req.query_int("h", 0);
    auto wd = req.query_int("w", 0);
    if (!h || !wd) return send_error(w, bad_request(!h ? h.error().message : wd.error().message));
    auto r = d.containers().resize(req.params["id"], static_cast<int>(*h), static_cast<int>(*wd));
    if (!r) return send_error(w, r.error());
    (void)w.send(200, "text/plain", "");
}

void update(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "update config");
    if (!body) return send_error(w, body.error());
    auto r = d.containers().update(req.params["id"], *body);
    if (!r) return send_error(w, r.error());
    (void)w.send_json(200, {{"Warnings", *r}});
}

void prune(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto filters = req.filters();
    if (!filters) return send_error(w, bad_request(filters.error().message));
    std::optional<std::int64_t> until;
    std::vector<std::string> labels, not_labels;
    for (const auto& [k, vals] : *filters) {
        if (k == "until") {
            for (const auto& v : vals) {
                auto t = parse_timestamp_arg(v);
                if (!t) return send_error(w, bad_request(cat("invalid filter 'until=", v, "'")));
                until = *t;
            }
        } else if (k == "label") {
            labels = vals;
        } else if (k == "label!") {
            not_labels = vals;
        } else {
            return send_error(w, bad_request(cat("invalid filter '", k, "'")));
        }
    }
    auto r = d.containers().prune([&](const engine::Container& c) {
        if (until && c.created_ns >= *until) return true;
        if (!labels.empty() && !engine::labels_match(labels, c.settings.labels)) return true;
        if (!not_labels.empty() && engine::labels_match(not_labels, c.settings.labels)) return true;
        return false;
    });
    if (!r) return send_error(w, r.error());
    Json deleted = r->first.empty() ? Json(nullptr) : Json(r->first);
    engine::Event e;
    e.type = "container";
    e.action = "prune";
    e.attributes["reclaimed"] = std::to_string(r->second);
    d.events().publish(std::move(e));
    (void)w.send_json(200, {{"ContainersDeleted", deleted}, {"SpaceReclaimed", r->second}});
}

void attach(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto c = d.containers().get(req.params["id"]);
    if (!c) return send_error(w, c.error());
    std::string keys_spec = req.has_query("detachKeys") ? req.query_value("detachKeys") : "ctrl-p,ctrl-q";
    auto keys = parse_detach_keys(keys_spec);
    if (!keys) return send_error(w, keys.error());
    engine::AttachRequest ar;
    ar.in = req.query_bool("stdin") && c->settings.open_stdin;
    ar.out = req.query_bool("stdout");
    ar.err = req.query_bool("stderr");
    if (!req.query_bool("stream") && !req.query_bool("logs"))
        return send_error(w, bad_request("either logs or stream must be set"));
    if (!req.finish_body(1 << 20)) return send_error(w, bad_request("unreadable request body"));
    if (!req.query_bool("stream")) {
        (void)w.hijack();
        return;
    }
    // Registered before the 101 goes out: docker's client starts the container
    // as soon as it has the answer, and the attach must not miss the first byte.
    auto connect = d.containers().attach(c->id, ar);
    if (!connect) return send_error(w, connect.error());
    auto hs = w.hijack();
    if (!hs) return;
    UniqueFd client = std::move(hs->fd);
    auto conn = (*connect)();
    if (!conn) {
        log::debug(cat("attach to ", c->id, ": ", conn.error().message));
        return;
    }
    {
        auto cur = d.containers().get(c->id);
        if (cur) d.containers().publish(*cur, "attach");
    }
    RelayOptions o;
    o.tty = c->settings.tty;
    o.forward_stdin = ar.in;
    o.detach_keys = *keys;
    relay_stream(client.get(), std::move(hs->buffered), conn->get(), o);
    if (ar.in) ::shutdown(conn->get(), SHUT_RDWR);
}

void logs(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto c = d.containers().get(req.params["id"]);
    if (!c) return send_error(w, c.error());
    if (c->settings.log.type == "none")
        return send_error(w, bad_request(cat("configured logging driver does not support reading")));
    engine::LogReadOptions o;
    o.stdout_ = req.query_bool("stdout");
    o.stderr_ = req.query_bool("stderr");
    if (!o.stdout_ && !o.stderr_)
        return send_error(w, bad_request("You must choose at least one stream"));
    for (auto [name, out] : {std::pair{"since", &o.since_ns}, std::pair{"until", &o.until_ns}}) {
        auto v = req.query_value(name);
        if (v.empty() || v == "0") continue;
        auto t = parse_timestamp_arg(v);
        if (!t) return send_error(w, bad_request(cat("invalid value for \"", name, "\": ", v)));
        *out = *t;
    }
    auto tail = req.query_value("tail");
    if (!tail.empty() && tail != "all") {
        try {
            auto n = std::stoll(tail);
            if (n >= 0) o.tail = static_cast<std::size_t>(n);
        } catch (...) {
            return send_error(w, bad_request(cat("invalid value for \"tail\": ", tail)));
        }
    }
    o.follow = req.query_bool("follow");
    bool timestamps = req.query_bool("timestamps");
    bool tty = c->settings.tty;
    auto& svc = d.containers();
    std::string id = c->id;
    auto path = svc.paths(id).log_file(id);
    if (!w.start_chunked(200, http::kRawStreamType)) return;
    std::string out;
    auto r = engine::read_json_log(
        path, o,
        [&](const engine::LogEntry& e) {
            std::string payload;
            if (timestamps)
                payload = cat(rfc3339(e.time_ns / 1'000'000'000, e.time_ns % 1'000'000'000), " ");
            payload += e.text;
            out = tty ? payload : encode_frame(static_cast<unsigned char>(e.stream), payload);
            return static_cast<bool>(w.write_chunk(out));
        },
        [&] {
            if (w.client_gone()) return false;
            auto cur = svc.get(id);
            return cur && cur->state.running();
        });
    if (!r) log::warn(cat("reading logs of ", id, ": ", r.error().message));
    (void)w.end_chunked();
}

}  // namespace

void add_container_routes(http::Router& r, engine::Daemon& d) {
    auto route = [&](const char* method, const char* pattern, void (*fn)(engine::Daemon&, Request&, ResponseWriter&)) {
        r.add(method, pattern, [&d, fn](Request& req, ResponseWriter& w) { fn(d, req, w); });
    };
    route("POST", "/containers/create", create);
    route("GET", "/containers/json", list);
    route("POST", "/containers/prune", prune);
    route("GET", "/containers/{id}/json", inspect);
    route("POST", "/containers/{id}/start", start);
    route("POST", "/containers/{id}/stop", stop);
    route("POST", "/containers/{id}/restart", restart);
    route("POST", "/containers/{id}/kill", kill);
    route("POST", "/containers/{id}/pause", pause);
    route("POST", "/containers/{id}/unpause", unpause);
    route("POST", "/containers/{id}/wait", wait);
    route("POST", "/containers/{id}/rename", rename);
    route("POST", "/containers/{id}/resize", resize);
    route("POST", "/containers/{id}/update", update);
    route("POST", "/containers/{id}/attach", attach);
    route("GET", "/containers/{id}/logs", logs);
    route("DELETE", "/containers/{id}", remove);
}

}  // namespace berth::api

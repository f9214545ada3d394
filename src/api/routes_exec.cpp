// /containers/{id}/exec and /exec/{id}/...: docker exec.
#include <sys/socket.h>

#include "api/api_errors.hpp"
#include "api/attach_relay.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "base/log.hpp"
#include "base/stdcopy.hpp"
#include "base/stream.hpp"
#include "base/text.hpp"
#include "engine/daemon.hpp"
#include "engine/exec_service.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;

void create(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "exec request");
    if (!body) return send_error(w, body.error());
    auto id = d.execs().create(req.params["id"], *body);
    if (!id) return send_error(w, id.error());
    (void)w.send_json(201, {{"Id", *id}});
}

void start(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "exec request");
    if (!body) return send_error(w, body.error());
    bool detach = body->value("Detach", false);
    auto exec_id = req.params["id"];
    auto info = d.execs().get(exec_id);
    if (!info) return send_error(w, info.error());
    std::string keys_spec = info->config.detach_keys.empty() ? "ctrl-p,ctrl-q" : info->config.detach_keys;
    auto keys = parse_detach_keys(keys_spec);
    if (!keys) return send_error(w, keys.error());
    if (detach) {
        auto started = d.execs().start(exec_id);
        if (!started) return send_error(w, started.error());
        d.execs().drain_in_background(exec_id, std::move(started->stream.sock));
        (void)w.send(200, "application/json", "");
        return;
    }
    // As dockerd: the stream is taken first, and a process that cannot start is
    // reported on it (the client then reads the exit code from inspect).
    auto hs = w.hijack();
    if (!hs) return;
    auto started = d.execs().start(exec_id);
    if (!started) {
        std::string text = started.error().message + "\r\n";
        std::string out = info->config.tty ? text : encode_frame(kStdout, text);
        (void)::send(hs->fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
        return;
    }
    std::optional<int> code;
    RelayOptions o;
    o.tty = info->config.tty;
    o.forward_stdin = info->config.attach_stdin;
    o.detach_keys = *keys;
    o.on_control = [&](std::string_view payload) { code = engine::parse_exit_frame(payload); };
    auto end = relay_stream(hs->fd.get(), std::move(hs->buffered), started->stream.sock.get(), o);
    if (end == RelayEnd::output_closed) {
        d.execs().finished(exec_id, code);
    } else {
        // The client left (or detached): the process goes on; its exit is still recorded.
        d.execs().drain_in_background(exec_id, std::move(started->stream.sock));
    }
}

void resize(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto h = req.query_int("h", 0);
    auto wd = req.query_int("w", 0);
    if (!h || !wd)
        return send_error(w, Error{0, !h ? h.error().message : wd.error().message, ErrorKind::invalid_argument});
    auto r = d.execs().resize(req.params["id"], static_cast<int>(*h), static_cast<int>(*wd));
    if (!r) return send_error(w, r.error());
    (void)w.send(200, "text/plain", "");
}

void inspect(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto info = d.execs().get(req.params["id"]);
    if (!info) return send_error(w, info.error());
    const auto& cfg = info->config;
    Json args = Json::array();
    for (std::size_t i = 1; i < cfg.cmd.size(); ++i) args.push_back(cfg.cmd[i]);
    (void)w.send_json(200, {{"ID", info->id},
                            {"Running", info->running},
                            {"ExitCode", info->exit_code ? Json(*info->exit_code) : Json(nullptr)},
                            {"ProcessConfig",
                             {{"tty", cfg.tty},
                              {"entrypoint", cfg.cmd.empty() ? std::string() : cfg.cmd[0]},
                              {"arguments", args},
                              {"privileged", cfg.privileged},
                              {"user", cfg.user}}},
                            {"OpenStdin", cfg.attach_stdin},
                            {"OpenStderr", cfg.attach_stderr},
                            {"OpenStdout", cfg.attach_stdout},
                            {"CanRemove", false},
                            {"ContainerID", info->container_id},
                            {"DetachKeys", cfg.detach_keys},
                            {"Pid", info->pid}});
}

}  // namespace

void add_exec_routes(http::Router& r, engine::Daemon& d) {
    auto route = [&](const char* method, const char* pattern, void (*fn)(engine::Daemon&, Request&, ResponseWriter&)) {
        r.add(method, pattern, [&d, fn](Request& req, ResponseWriter& w) { fn(d, req, w); });
    };
    route("POST", "/containers/{id}/exec", create);
    route("POST", "/exec/{id}/start", start);
    route("POST", "/exec/{id}/resize", resize);
    route("GET", "/exec/{id}/json", inspect);
}

}  // namespace berth::api

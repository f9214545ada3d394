// The container filesystem routes: /containers/{id}/changes, /export, /archive
// (GET, HEAD, PUT) and POST /commit.
#include <memory>

#include "api/api_errors.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "engine/container_fs.hpp"
#include "engine/daemon.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;
using engine::ContainerFs;

constexpr std::string_view kStatHeader = "X-Docker-Container-Path-Stat";

Error bad_request(std::string message) { return Error{0, std::move(message), ErrorKind::invalid_argument}; }

// Tar bytes into a chunked response.
struct ChunkWriter final : ByteWriter {
    explicit ChunkWriter(ResponseWriter& rw) : w(rw) {}
    Result<void> write(std::string_view data) override { return w.write_chunk(data); }
    ResponseWriter& w;
};

// Ends a streamed tar: a failure once the status is out can only be told by
// leaving out the final chunk, as Go's server does.
void end_stream(ResponseWriter& w, const Result<void>& r, std::string_view what) {
    if (r) {
        if (w.streaming()) (void)w.end_chunked();
        else if (!w.answered()) (void)w.send(200, "application/x-tar", "");
        return;
    }
    if (!w.answered()) return send_error(w, r.error());
    log::error(cat(what, ": ", r.error().message));
}

void changes(ContainerFs& fs, Request& req, ResponseWriter& w) {
    auto r = fs.changes(req.params["id"]);
    if (!r) return send_error(w, r.error());
    Json out = Json::array();
    for (const auto& c : *r) out.push_back({{"Path", c.path}, {"Kind", static_cast<int>(c.kind)}});
    (void)w.send_json(200, out);
}

void export_container(ContainerFs& fs, Request& req, ResponseWriter& w) {
    ChunkWriter body(w);
    auto r = fs.export_rootfs(req.params["id"], [&]() -> ByteWriter* {
        return w.start_chunked(200, "application/x-tar") ? &body : nullptr;
    });
    end_stream(w, r, "export " + req.params["id"]);
}

bool path_given(Request& req, ResponseWriter& w) {
    if (!req.query_value("path").empty()) return true;
    send_error(w, bad_request("path cannot be empty"));
    return false;
}

void archive_get(ContainerFs& fs, Request& req, ResponseWriter& w) {
    if (!path_given(req, w)) return;
    ChunkWriter body(w);
    auto r = fs.archive(req.params["id"], req.query_value("path"), [&](const engine::PathStat& st) -> ByteWriter* {
        http::HeaderList h{{std::string(kStatHeader), engine::path_stat_header(st)}};
        return w.start_chunked(200, "application/x-tar", h) ? &body : nullptr;
    });
    end_stream(w, r, "archive " + req.params["id"]);
}

void archive_head(ContainerFs& fs, Request& req, ResponseWriter& w) {
    if (!path_given(req, w)) return;
    auto r = fs.archive(req.params["id"], req.query_value("path"), [&](const engine::PathStat& st) -> ByteWriter* {
        (void)w.send(200, "", "", {{std::string(kStatHeader), engine::path_stat_header(st)}});
        return nullptr;
    });
    if (!r) send_error(w, r.error());
}

void archive_put(ContainerFs& fs, Request& req, ResponseWriter& w) {
    if (!path_given(req, w)) return;
    engine::ArchiveUpload up;
    up.path = req.query_value("path");
    up.no_overwrite_dir_non_dir = req.query_bool("noOverwriteDirNonDir");
    up.copy_uid_gid = req.query_bool("copyUIDGID");
    auto r = fs.extract(req.params["id"], up, req.body());
    // What the client sent after a refusal is read away, so the connection stays usable.
    if (!r) {
        (void)req.finish_body(std::size_t{1} << 40);
        return send_error(w, r.error());
    }
    (void)w.send(200, "", "");
}

void commit(ContainerFs& fs, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "commit config");
    if (!body) return send_error(w, body.error());
    engine::CommitRequest cr;
    if (!body->empty()) cr.config = std::move(*body);
    cr.repo = req.query_value("repo");
    cr.tag = req.query_value("tag");
    cr.comment = req.query_value("comment");
    cr.author = req.query_value("author");
    cr.pause = !req.has_query("pause") || req.query_bool("pause");
    for (auto it = req.query.lower_bound("changes"); it != req.query.end() && it->first == "changes"; ++it)
        if (!it->second.empty()) cr.changes.push_back(it->second);
    auto container = req.query_value("container");
    if (container.empty()) return send_error(w, Error{0, "No such container: ", ErrorKind::not_found});
    auto id = fs.commit(container, cr);
    if (!id) return send_error(w, id.error());
    (void)w.send_json(201, {{"Id", *id}});
}

}  // namespace

void add_container_fs_routes(http::Router& r, engine::Daemon& d) {
    auto fs = std::make_shared<ContainerFs>(d);
    auto route = [&](const char* method, const char* pattern, void (*fn)(ContainerFs&, Request&, ResponseWriter&)) {
        r.add(method, pattern, [fs, fn](Request& req, ResponseWriter& w) { fn(*fs, req, w); });
    };
    route("GET", "/containers/{id}/changes", changes);
    route("GET", "/containers/{id}/export", export_container);
    route("GET", "/containers/{id}/archive", archive_get);
    route("HEAD", "/containers/{id}/archive", archive_head);
    route("PUT", "/containers/{id}/archive", archive_put);
    route("POST", "/commit", commit);
}

}  // namespace berth::api

// /images/...: list, inspect, history, tag, remove, prune, load, save, import.
#include <fnmatch.h>

#include <algorithm>

#include "api/api_errors.hpp"
#include "api/image_json.hpp"
#include "api/message_stream.hpp"
#include "api/routes_registry.hpp"
#include "api/routes.hpp"
#include "base/log.hpp"
#include "engine/image_service.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;

Error bad_request(std::string message) {
    return Error{0, std::move(message), ErrorKind::invalid_argument};
}

// docker's reference filter: a glob over the familiar name, with or without the tag.
bool reference_matches(const std::string& name, const std::vector<std::string>& patterns) {
    auto ref = image::parse_reference(name);
    std::string repo = ref ? ref->familiar_repository() : name;
    for (const auto& p : patterns)
        if (fnmatch(p.c_str(), name.c_str(), FNM_PATHNAME) == 0 ||
            fnmatch(p.c_str(), repo.c_str(), FNM_PATHNAME) == 0)
            return true;
    return false;
}

// Keeps only the names the reference filter matches: docker lists an image under
// the matching names alone (`images --filter reference=bt/*` shows no busybox row
// for an image tagged both). False when no name matches.
bool keep_matching_names(image::ImageSummary& s, const std::vector<std::string>& patterns) {
    auto drop = [&](std::vector<std::string>& names) {
        std::erase_if(names, [&](const std::string& n) { return !reference_matches(n, patterns); });
    };
    drop(s.repo_tags);
    drop(s.repo_digests);
    return !s.repo_tags.empty() || !s.repo_digests.empty();
}

// Keeps the images the `filters` select (dangling, label, before, since, reference).
Result<std::vector<image::ImageSummary>> filter_images(engine::ImageService& svc,
                                                       std::vector<image::ImageSummary> all,
                                                       const http::Filters& filters) {
    std::optional<bool> dangling;
    std::optional<std::int64_t> before, since;
    for (const auto& [key, values] : filters) {
        if (values.empty()) continue;
        if (key == "dangling") {
            if (values[0] != "true" && values[0] != "false" && values[0] != "1" && values[0] != "0")
                return std::unexpected(bad_request("Invalid filter 'dangling=" + values[0] + "'"));
            dangling = values[0] == "true" || values[0] == "1";
        } else if (key == "before" || key == "since") {
            auto id = BERTH_TRY(svc.store().resolve(values[0]));
            auto s = BERTH_TRY(svc.store().summary(id));
            (key == "before" ? before : since) = s.created;
        } else if (key != "label" && key != "reference") {
            return std::unexpected(bad_request("Invalid filter '" + key + "'"));
        }
    }
    std::vector<image::ImageSummary> out;
    for (auto& s : all) {
        if (dangling && s.repo_tags.empty() != *dangling) continue;
        if (before && s.created >= *before) continue;
        if (since && s.created <= *since) continue;
        if (filters.count("label") && !engine::labels_match(filters.at("label"), s.labels)) continue;
        if (filters.count("reference") && !filters.at("reference").empty() &&
            !keep_matching_names(s, filters.at("reference")))
            continue;
        out.push_back(std::move(s));
    }
    return out;
}

void list(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto filters = req.filters();
    if (!filters) return send_error(w, bad_request(filters.error().message));
    // API < 1.41 also took the reference as `filter`.
    if (auto legacy = req.query_value("filter"); !legacy.empty()) (*filters)["reference"].push_back(legacy);
    auto all = svc.store().list();
    if (!all) return send_error(w, all.error());
    auto images = filter_images(svc, std::move(*all), *filters);
    if (!images) return send_error(w, images.error());
    std::sort(images->begin(), images->end(),
              [](const auto& a, const auto& b) { return a.created > b.created; });
    Json out = Json::array();
    for (const auto& s : *images) out.push_back(image_summary_json(s, svc.containers_using(s.id)));
    (void)w.send_json(200, out);
}

void inspect(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto& store = svc.store();
    auto id = store.resolve(req.params["name"]);
    if (!id) return send_error(w, id.error());
    auto s = store.summary(*id);
    auto cfg = store.config(*id);
    auto dirs = store.layer_dirs(*id);
    if (!s || !cfg || !dirs) return send_error(w, !s ? s.error() : !cfg ? cfg.error() : dirs.error());
    // Field order as dockerd's (Id first): clients print the JSON as it comes.
    (void)w.send(200, "application/json", image_inspect_json(*s, *cfg, *dirs).dump() + "\n");
}

void history(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto& store = svc.store();
    auto id = store.resolve(req.params["name"]);
    if (!id) return send_error(w, id.error());
    auto s = store.summary(*id);
    auto cfg = store.config(*id);
    if (!s || !cfg) return send_error(w, !s ? s.error() : cfg.error());
    std::vector<std::int64_t> sizes;
    for (const auto& c : s->chain) {
        auto l = store.layer(c);
        if (!l) return send_error(w, l.error());
        sizes.push_back(l->size);
    }
    (void)w.send_json(200, image_history_json(*s, *cfg, sizes));
}

void tag(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto repo = req.query_value("repo");
    if (repo.empty()) return send_error(w, bad_request("repository name must have at least one component"));
    auto tag_name = req.query_value("tag");
    auto r = svc.tag(req.params["name"], tag_name.empty() ? repo : repo + ":" + tag_name);
    if (!r) return send_error(w, r.error());
    (void)w.send(201, "text/plain", "");
}

Json delete_items_json(const std::vector<image::DeleteItem>& items) {
    Json out = Json::array();
    for (const auto& i : items)
        out.push_back(i.untagged.empty() ? Json{{"Deleted", i.deleted}} : Json{{"Untagged", i.untagged}});
    return out;
}

void remove(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto r = svc.remove(req.params["name"], req.query_bool("force"), req.query_bool("noprune"));
    if (!r) return send_error(w, r.error());
    (void)w.send_json(200, delete_items_json(*r));
}

void prune(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto filters = req.filters();
    if (!filters) return send_error(w, bad_request(filters.error().message));
    bool all = false;
    if (auto it = filters->find("dangling"); it != filters->end() && !it->second.empty())
        all = it->second[0] == "false" || it->second[0] == "0";
    std::vector<std::string> labels;
    if (auto it = filters->find("label"); it != filters->end()) labels = it->second;
    auto r = svc.prune(all, [&](const image::ImageSummary& s) { return !engine::labels_match(labels, s.labels); });
    if (!r) return send_error(w, r.error());
    Json deleted = r->first.empty() ? Json(nullptr) : delete_items_json(r->first);
    (void)w.send_json(200, {{"ImagesDeleted", deleted}, {"SpaceReclaimed", r->second}});
}

void load(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    bool quiet = req.query_bool("quiet");
    MessageStream out(w);
    // The archive is read before the answer starts, so a broken one still gets a
    // JSON error line that docker prints (docker load behaves the same).
    auto loaded = svc.load(req.body(), [&](const std::string& line) {
        if (!quiet) log::debug(line);
    });
    if (!out.start()) return;
    if (!loaded) {
        out.fail(loaded.error());
    } else {
        for (const auto& name : *loaded)
            out.send({{"stream", (name.starts_with("sha256:") ? "Loaded image ID: " : "Loaded image: ") +
                                     name + "\n"}});
    }
    out.end();
}

void save(engine::ImageService& svc, ResponseWriter& w, std::vector<std::string> names) {
    if (names.empty()) return send_error(w, bad_request("no images named to save"));
    // Resolve first: a missing image is a clean 404, not a broken tar.
    for (const auto& n : names)
        if (auto id = svc.store().resolve(n); !id) return send_error(w, id.error());
    if (!w.start_chunked(200, "application/x-tar")) return;
    struct ChunkWriter final : ByteWriter {
        explicit ChunkWriter(ResponseWriter& rw) : w(rw) {}
        Result<void> write(std::string_view data) override { return w.write_chunk(data); }
        ResponseWriter& w;
    } body(w);
    if (auto r = svc.save(names, body); !r) {
        // The status is gone; ending without the final chunk tells the client the
        // archive is incomplete, as Go's server does on a failed stream.
        log::error("save " + names.front() + ": " + r.error().message);
        return;
    }
    (void)w.end_chunked();
}

void create(engine::ImageService& svc, Request& req, ResponseWriter& w) {
    auto src = req.query_value("fromSrc");
    if (src.empty()) return pull_image(svc, req, w);
    if (src != "-")
        return send_error(w, bad_request("import from a URL is not supported; send the archive "
                                         "in the request body (fromSrc=-)"));
    engine::ImportRequest ir;
    ir.repo = req.query_value("repo");
    ir.tag = req.query_value("tag");
    ir.message = req.query_value("message");
    ir.platform = req.query_value("platform");
    for (auto it = req.query.lower_bound("changes"); it != req.query.end() && it->first == "changes"; ++it)
        ir.changes.push_back(it->second);
    MessageStream out(w);
    auto id = svc.import(req.body(), ir);
    if (!id && id.error().kind == ErrorKind::invalid_argument) return send_error(w, id.error());
    if (!out.start()) return;
    if (!id) out.fail(id.error());
    else out.send({{"status", *id}});
    out.end();
}

}  // namespace

void add_image_routes(http::Router& r, engine::Daemon& d) {
    auto svc = std::make_shared<engine::ImageService>(d);
    auto route = [&](const char* method, const char* pattern,
                     void (*fn)(engine::ImageService&, Request&, ResponseWriter&)) {
        r.add(method, pattern, [svc, fn](Request& req, ResponseWriter& w) { fn(*svc, req, w); });
    };
    route("GET", "/images/json", list);
    route("POST", "/images/load", load);
    route("POST", "/images/prune", prune);
    route("POST", "/images/create", create);
    route("POST", "/auth", login);
    route("GET", "/distribution/{name:.*}/json", distribution_inspect);
    r.add("GET", "/images/get", [svc](Request& req, ResponseWriter& w) {
        std::vector<std::string> names;
        for (auto it = req.query.lower_bound("names"); it != req.query.end() && it->first == "names"; ++it)
            names.push_back(it->second);
        save(*svc, w, std::move(names));
    });
    r.add("GET", "/images/{name:.*}/get", [svc](Request& req, ResponseWriter& w) {
        save(*svc, w, {req.params["name"]});
    });
    route("GET", "/images/{name:.*}/json", inspect);
    route("GET", "/images/{name:.*}/history", history);
    route("POST", "/images/{name:.*}/tag", tag);
    route("POST", "/images/{name:.*}/push", push_image);
    route("DELETE", "/images/{name:.*}", remove);
}

}  // namespace berth::api

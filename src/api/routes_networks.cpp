// /networks/...: list, inspect, create, remove, connect, disconnect, prune, and
// the network events dockerd publishes for them.
#include <algorithm>

#include "api/api_errors.hpp"
#include "api/network_json.hpp"
#include "engine/events.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "base/text.hpp"
#include "engine/daemon.hpp"

namespace berth::api {

namespace {

using http::Request;
using http::ResponseWriter;
using network::Network;

Error bad_request(std::string message) {
    return Error{0, std::move(message), ErrorKind::invalid_argument};
}

// 403 has no ErrorKind: only the predefined networks answer it, so it is sent here.
void send_forbidden(ResponseWriter& w, const std::string& message) {
    (void)w.send_error(403, message);
}

std::string container_name_of(engine::Daemon& d, const std::string& id) {
    auto name = d.networks().container_name(id);
    if (!name.empty()) return name;
    auto c = d.containers().get(id);
    return c ? c->name : std::string();
}

void list(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto filters = req.filters();
    if (!filters) return send_error(w, bad_request(filters.error().message));
    auto& svc = d.networks();
    auto keep = network_list_filter(
        *filters, [&svc](const Network& n) { return !svc.endpoints_of(n.id).empty(); });
    if (!keep) return send_error(w, keep.error());
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& n : svc.list())
        if ((*keep)(n)) out.push_back(network_json(n, {}, {}));
    (void)w.send(200, "application/json", out.dump() + "\n");
}

void inspect(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto n = d.networks().get(req.params["id"]);
    if (!n) return send_error(w, n.error());
    auto j = network_json(*n, d.networks().endpoints_of(n->id),
                          [&d](const std::string& id) { return container_name_of(d, id); });
    (void)w.send(200, "application/json", j.dump() + "\n");
}

void create(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "network config");
    if (!body) return send_error(w, body.error());
    auto name_field = body->find("Name");
    if (name_field != body->end() && !name_field->is_string())
        return send_error(w, bad_request("Name must be a string"));
    std::string name = name_field == body->end() ? "" : name_field->get<std::string>();
    // dockerd's PredefinedNetworkError, trailing space included.
    if (is_predefined_network_name(name))
        return send_forbidden(w,
                              cat("operation is not permitted on predefined ", name, " network "));
    std::string warning;
    auto n = d.networks().create(*body, &warning);
    if (!n) return send_error(w, n.error());
    d.events().publish(engine::network_event(*n, "create"));
    (void)w.send_json(201, {{"Id", n->id}, {"Warning", warning}});
}

void remove(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto n = d.networks().get(req.params["id"]);
    if (!n) return send_error(w, n.error());
    if (n->predefined() || is_predefined_network_name(n->name))
        return send_forbidden(w, cat(n->name, " is a pre-defined network and cannot be removed"));
    if (auto r = d.networks().remove(n->id); !r) return send_error(w, r.error());
    d.events().publish(engine::network_event(*n, "destroy"));
    (void)w.send(204, "", "");
}

// The "Container" of a connect or disconnect body.
Result<std::string> container_field(const Json& body) {
    auto it = body.find("Container");
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
        return std::unexpected(bad_request("Container must be the name or ID of a container"));
    return it->get<std::string>();
}

void connect(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "network connect config");
    if (!body) return send_error(w, body.error());
    auto container = container_field(*body);
    if (!container) return send_error(w, container.error());
    Json endpoint = body->value("EndpointConfig", Json());
    if (!endpoint.is_null() && !endpoint.is_object())
        return send_error(w, bad_request("EndpointConfig must be an object"));
    const std::string& ref = req.params["id"];
    if (auto r = d.containers().connect(*container, ref, endpoint); !r)
        return send_error(w, r.error());
    (void)w.send(200, "", "");
}

void disconnect(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto body = json_object_body(req, "network disconnect config");
    if (!body) return send_error(w, body.error());
    auto container = container_field(*body);
    if (!container) return send_error(w, container.error());
    auto force = body->value("Force", Json(false));
    if (!force.is_boolean()) return send_error(w, bad_request("Force must be a boolean"));
    if (auto r = d.containers().disconnect(*container, req.params["id"], force.get<bool>()); !r)
        return send_error(w, r.error());
    (void)w.send(200, "", "");
}

void prune(engine::Daemon& d, Request& req, ResponseWriter& w) {
    auto filters = req.filters();
    if (!filters) return send_error(w, bad_request(filters.error().message));
    auto keep = network_prune_keep(*filters);
    if (!keep) return send_error(w, keep.error());
    auto before = d.networks().list();
    auto deleted = d.networks().prune(*keep);
    for (const auto& name : deleted) {
        auto it = std::find_if(before.begin(), before.end(),
                               [&](const Network& n) { return n.name == name; });
        if (it != before.end()) d.events().publish(engine::network_event(*it, "destroy"));
    }
    engine::Event e;
    e.type = "network";
    e.action = "prune";
    e.attributes["reclaimed"] = "0";
    d.events().publish(std::move(e));
    (void)w.send_json(200, {{"NetworksDeleted", deleted.empty() ? Json(nullptr) : Json(deleted)}});
}

}  // namespace

void add_network_routes(http::Router& r, engine::Daemon& d) {
    auto route = [&](const char* method, const char* pattern,
                     void (*fn)(engine::Daemon&, Request&, ResponseWriter&)) {
        r.add(method, pattern, [&d, fn](Request& req, ResponseWriter& w) { fn(d, req, w); });
    };
    route("GET", "/networks", list);
    route("POST", "/networks/create", create);
    route("POST", "/networks/prune", prune);
    route("GET", "/networks/{id}", inspect);
    route("DELETE", "/networks/{id}", remove);
    route("POST", "/networks/{id}/connect", connect);
    route("POST", "/networks/{id}/disconnect", disconnect);
}

}  // namespace berth::api

#include "api/routes_registry.hpp"

#include "api/api_errors.hpp"
#include "api/message_stream.hpp"
#include "base/json.hpp"
#include "base/log.hpp"

namespace berth::api {

namespace {

Error bad_request(std::string message) { return Error{0, std::move(message), ErrorKind::invalid_argument}; }

// The credentials of X-Registry-Auth. A header that does not decode is taken as
// no credentials, as dockerd does ("to increase compatibility with the existing
// API"): the registry then answers for itself, and the log says why.
registry::AuthConfig request_auth(const http::Request& req) {
    auto auth = registry::decode_registry_auth(req.header("X-Registry-Auth").value_or(""));
    if (auth) return *auth;
    log::warn("ignoring X-Registry-Auth: " + auth.error().message);
    return {};
}

// fromImage plus the tag parameter, which may also be a digest (docker pull x@sha256:...).
Result<image::Reference> pull_reference(const http::Request& req) {
    std::string name = req.query_value("fromImage");
    std::string tag = req.query_value("tag");
    if (!tag.empty()) name += (tag.starts_with("sha256:") ? "@" : ":") + tag;
    auto ref = image::parse_reference(name);
    if (!ref) return std::unexpected(bad_request(ref.error().message));
    return *ref;
}

// Runs a registry operation, streaming its progress; an error before any progress
// is sent as a status, after it as an error message in the stream.
template <typename Op>
void stream_operation(http::ResponseWriter& w, Op&& op) {
    MessageStream out(w);
    auto r = op([&](const registry::ProgressEvent& e) { out.send(progress_json(e)); });
    if (!r && !out.started()) return send_error(w, r.error());
    if (!r) out.fail(r.error());
    out.end();
}

}  // namespace

void pull_image(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w) {
    auto ref = pull_reference(req);
    if (!ref) return send_error(w, ref.error());
    auto auth = request_auth(req);
    std::string platform = req.query_value("platform");
    stream_operation(w, [&](const registry::ProgressFn& progress) {
        return svc.pull(*ref, platform, auth, progress);
    });
}

void push_image(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w) {
    std::string name = req.params["name"];
    if (auto tag = req.query_value("tag"); !tag.empty()) name += ":" + tag;
    auto ref = image::parse_reference(name);
    if (!ref) return send_error(w, bad_request(ref.error().message));
    auto auth = request_auth(req);
    stream_operation(
        w, [&](const registry::ProgressFn& progress) { return svc.push(*ref, auth, progress); });
}

void login(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w) {
    auto body = read_all(req.body(), 1 << 20);
    if (!body) return send_error(w, body.error());
    auto json = parse_json(*body, "auth request");
    if (!json || !json->is_object()) return send_error(w, bad_request("POST /auth wants a JSON object"));
    registry::AuthConfig auth;
    auth.username = json->value("username", "");
    auth.password = json->value("password", "");
    auth.server_address = json->value("serveraddress", "");
    auto r = svc.login(auth);
    if (!r) {
        // docker prints the daemon's message after "Error response from daemon: ".
        if (r.error().kind == ErrorKind::unavailable || r.error().kind == ErrorKind::internal)
            return send_error(w, r.error());
        return (void)w.send_error(401, r.error().message);
    }
    (void)w.send_json(200, {{"Status", "Login Succeeded"}, {"IdentityToken", ""}});
}

void distribution_inspect(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w) {
    auto ref = image::parse_reference(req.params["name"]);
    if (!ref) return send_error(w, bad_request(ref.error().message));
    auto auth = request_auth(req);
    auto info = svc.distribution(*ref, auth);
    if (!info) return send_error(w, info.error());
    Json platforms = Json::array();
    for (const auto& p : info->platforms) {
        Json j = {{"architecture", p.architecture}, {"os", p.os}};
        if (!p.variant.empty()) j["variant"] = p.variant;
        if (!p.os_version.empty()) j["os.version"] = p.os_version;
        if (!p.os_features.empty()) j["os.features"] = p.os_features;
        platforms.push_back(std::move(j));
    }
    const auto& d = info->descriptor;
    (void)w.send_json(200, {{"Descriptor", {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}}},
                            {"Platforms", platforms}});
}

}  // namespace berth::api

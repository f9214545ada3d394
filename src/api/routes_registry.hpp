// Registry operations over the API: pull (POST /images/create?fromImage=), push
// (POST /images/{name}/push) and login (POST /auth), credentials from X-Registry-Auth.
#pragma once

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "engine/image_service.hpp"

namespace berth::api {

// POST /images/create with fromImage: progress streams once the manifest is found;
// an error before that (unknown tag, refused credentials) is an HTTP status, as
// dockerd answers, and one after it an error message in the stream.
void pull_image(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w);
// POST /images/{name}/push?tag=
void push_image(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w);
// POST /auth: {"username","password","serveraddress"} checked against the registry.
void login(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w);
// GET /distribution/{name}/json: the manifest descriptor and platforms, nothing pulled.
void distribution_inspect(engine::ImageService& svc, http::Request& req, http::ResponseWriter& w);

}  // namespace berth::api

// The Docker Engine API routes berthd serves, by area; each registers its handlers
// on the router over the daemon's model.
#pragma once

#include "http/router.hpp"
#include "engine/daemon.hpp"

namespace berth::api {

void add_system_routes(http::Router& router, engine::Daemon& daemon);
void add_image_routes(http::Router& router, engine::Daemon& daemon);
void add_container_routes(http::Router& router, engine::Daemon& daemon);
void add_exec_routes(http::Router& router, engine::Daemon& daemon);
void add_container_fs_routes(http::Router& router, engine::Daemon& daemon);
void add_container_stats_routes(http::Router& router, engine::Daemon& daemon);  // top, stats
void add_network_routes(http::Router& router, engine::Daemon& daemon);

// Every route berthd serves.
inline void add_all_routes(http::Router& router, engine::Daemon& daemon) {
    add_system_routes(router, daemon);
    add_image_routes(router, daemon);
    add_container_routes(router, daemon);
    add_exec_routes(router, daemon);
    add_container_fs_routes(router, daemon);
    add_container_stats_routes(router, daemon);
    add_network_routes(router, daemon);
}

}  // namespace berth::api

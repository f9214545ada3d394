// The network objects of the Docker Engine API: the document of GET /networks and
// GET /networks/{id}, the `filters` of the list and of the prune, and the network
// events dockerd publishes.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "base/json.hpp"
#include "base/result.hpp"
#include "http/query.hpp"
#include "network/network.hpp"
#include "network/network_service.hpp"

namespace berth::api {

// Docker's IsPreDefinedNetwork: names no user network may take and no client may
// remove ("bridge", "host", "none", "default", "ingress").
bool is_predefined_network_name(const std::string& name);

// One network, fields in dockerd's order. `containers`: the running containers on
// it (id -> endpoint, inspect's "Containers"); the list passes none, as dockerd
// does since API 1.28. `name_of` gives a container's name for its ID.
nlohmann::ordered_json network_json(const network::Network& n,
                                    const std::map<std::string, network::Endpoint>& containers,
                                    const std::function<std::string(const std::string&)>& name_of);

// A predicate from the list's filters: driver, id, name, label, scope, type
// (custom|builtin), dangling. `in_use`: whether a container is on the network.
// Unknown keys and bad values are refused in dockerd's words.
using NetworkFilter = std::function<bool(const network::Network&)>;
Result<NetworkFilter> network_list_filter(const http::Filters& f, NetworkFilter in_use);

// The prune's filters (until, label, label!) as the `keep` predicate
// NetworkService::prune takes: true spares the network.
Result<NetworkFilter> network_prune_keep(const http::Filters& f);


}  // namespace berth::api

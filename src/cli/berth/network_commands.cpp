// berth network create, ls, rm, prune, connect, disconnect (inspect is with the
// other inspect commands): docker 20.10's network commands over /networks.
#include "cli/berth/command.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/berth/network_requests.hpp"
#include "cli/berth/network_rows.hpp"

namespace berth::cli {
namespace {

std::string network_path(const std::string& name, std::string_view tail = {}) {
    return "/networks/" + path_escape(name) + std::string(tail);
}

Result<void> run_create(Session& session, const ParsedFlags& f) {
    Json body = BERTH_TRY(network_create_body(f));
    ApiClient* api = BERTH_TRY(session.api());
    Json created = BERTH_TRY(api->post_json("/networks/create", body));
    return session.out((created.is_object() ? created.value("Id", "") : std::string()) + "\n");
}

Result<void> run_ls(Session& session, const ParsedFlags& f) {
    QueryParams query;
    add_filters_param(query, f.list("filter"));
    ApiClient* api = BERTH_TRY(session.api());
    Json networks = BERTH_TRY(api->get_json("/networks", query));
    return print_rows(session, f, kNetworkTableFormat, network_headers(),
                      network_rows(networks, f.enabled("no-trunc")));
}

// Each name removed in turn: its name on stdout, or the error on stderr at once
// (docker's runRemove); exit 1 when any failed.
Result<void> run_rm(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    bool failed = false;
    for (const auto& name : f.args) {
        auto removed = api->call("DELETE", network_path(name));
        if (!removed) {
            // The client's wrapResponseError words a 404 so.
            session.err((removed.error().kind == ErrorKind::not_found
                             ? "Error: No such network: " + name
                             : removed.error().message) +
                        "\n");
            failed = true;
            continue;
        }
        BERTH_TRYV(session.out(name + "\n"));
    }
    if (failed) return fail("");
    return {};
}

Result<void> run_prune(Session& session, const ParsedFlags& f) {
    if (!f.enabled("force") &&
        !session.confirmed(
            "WARNING! This will remove all custom networks not used by at least one container."))
        return {};
    QueryParams query;
    add_filters_param(query, f.list("filter"));
    ApiClient* api = BERTH_TRY(session.api());
    Json report = BERTH_TRY(api->call_json("POST", "/networks/prune", query));
    auto deleted = report.is_object() ? report.find("NetworksDeleted") : report.end();
    if (!report.is_object() || deleted == report.end() || !deleted->is_array() || deleted->empty())
        return {};
    std::string out = "Deleted Networks:\n";
    for (const auto& name : *deleted)
        out += (name.is_string() ? name.get<std::string>() : name.dump()) + "\n";
    return session.out(out + "\n");  // docker's Fprintln of a text ending in a newline
}

Result<void> run_connect(Session& session, const ParsedFlags& f) {
    Json body = BERTH_TRY(network_connect_body(f));
    ApiClient* api = BERTH_TRY(session.api());
    BERTH_TRY(api->post_json(network_path(f.args[0], "/connect"), body));
    return {};
}

Result<void> run_disconnect(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    Json body = {{"Container", f.args[1]}, {"Force", f.enabled("force")}};
    BERTH_TRY(api->post_json(network_path(f.args[0], "/disconnect"), body));
    return {};
}

}  // namespace

std::vector<Command> network_commands() {
    std::vector<Command> out;
    out.push_back({
        .path = "network create",
        .usage = "[OPTIONS] NETWORK",
        .description = "Create a network",
        .flags = network_create_flags(),
        .min_args = 1,
        .max_args = 1,
        .check = check_network_create_flags,
        .run = run_create,
    });
    out.push_back(network_inspect_command());
    out.push_back({
        .path = "network ls",
        .aliases = {"network list"},
        .usage = "[OPTIONS]",
        .description = "List networks",
        .flags =
            {
                filter_flag("Provide filter values (e.g. 'driver=bridge')"),
                format_flag("Pretty-print networks using a Go template"),
                {.long_name = "no-trunc", .help = "Do not truncate the output"},
                {.long_name = "quiet", .short_name = 'q', .help = "Only display network IDs"},
            },
        .max_args = 0,
        .check = [](const ParsedFlags& f) { return check_filters(f); },
        .run = run_ls,
    });
    out.push_back({
        .path = "network rm",
        .aliases = {"network remove"},
        .usage = "NETWORK [NETWORK...]",
        .description = "Remove one or more networks",
        .min_args = 1,
        .run = run_rm,
    });
    out.push_back({
        .path = "network prune",
        .usage = "[OPTIONS]",
        .description = "Remove all unused networks",
        .flags = prune_flags(),
        .max_args = 0,
        .check = prune_check,
        .run = run_prune,
    });
    out.push_back({
        .path = "network connect",
        .usage = "[OPTIONS] NETWORK CONTAINER",
        .description = "Connect a container to a network",
        .flags = network_connect_flags(),
        .min_args = 2,
        .max_args = 2,
        .run = run_connect,
    });
    out.push_back({
        .path = "network disconnect",
        .usage = "[OPTIONS] NETWORK CONTAINER",
        .description = "Disconnect a container from a network",
        .flags = {{.long_name = "force",
                   .short_name = 'f',
                   .help = "Force the container to disconnect from a network"}},
        .min_args = 2,
        .max_args = 2,
        .run = run_disconnect,
    });
    return out;
}

}  // namespace berth::cli

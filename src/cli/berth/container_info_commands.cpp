// berth ps, port, top, diff, logs, export, container prune: what a container
// holds or says, read from the daemon and printed as docker prints it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/container_rows.hpp"
#include "cli/berth/container_session.hpp"
#include "cli/berth/container_stream.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/berth/time_text.hpp"
#include "cli/format/tabwriter.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

std::string container_path(const std::string& name, std::string_view tail) {
    return "/containers/" + path_escape(name) + std::string(tail);
}

Result<void> run_ps(Session& session, const ParsedFlags& f) {
    QueryParams query;
    std::string format = f.value("format");
    bool size = f.enabled("size") || format.find(".Size") != std::string::npos;
    if (f.enabled("all")) query.emplace_back("all", "1");
    int limit = static_cast<int>(parse_int(f.has("last") ? f.value("last") : "-1").value_or(-1));
    if (f.enabled("latest")) limit = 1;
    if (limit > 0) query.emplace_back("limit", std::to_string(limit));
    if (size) query.emplace_back("size", "1");
    add_filters_param(query, f.list("filter"));
    ApiClient* api = BERTH_TRY(session.api());
    Json containers = BERTH_TRY(api->get_json("/containers/json", query));
    auto rows = container_rows(containers, {.no_trunc = f.enabled("no-trunc"), .now = unix_now()});
    bool table_size = f.enabled("size") && (format.empty() || format == "table");
    return print_rows(session, f, ps_table_format(table_size), container_headers(), rows);
}

// "80/tcp" from "80" or "80/" (docker's port argument defaults to tcp).
std::string port_key(std::string_view spec) {
    auto slash = spec.find('/');
    if (slash == std::string_view::npos || slash + 1 == spec.size())
        return std::string(spec.substr(0, slash)) + "/tcp";
    return std::string(spec);
}

std::string host_address(const Json& binding) {
    std::string ip = binding.value("HostIp", "");
    std::string port = binding.value("HostPort", "");
    if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + port;
    return ip + ":" + port;
}

Result<void> run_port(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    Json info = BERTH_TRY(inspect_container(*api, f.args[0]));
    Json ports = info["NetworkSettings"].value("Ports", Json::object());
    if (!ports.is_object()) ports = Json::object();
    std::string out;
    if (f.args.size() == 2) {
        std::string key = port_key(f.args[1]);
        auto it = ports.find(key);
        if (it == ports.end() || !it->is_array() || it->empty())
            return fail("Error: No public port '" + key + "' published for " + f.args[0]);
        for (const auto& b : *it) out += host_address(b) + "\n";
        return session.out(out);
    }
    std::vector<std::pair<std::string, std::string>> lines;
    for (const auto& [key, bindings] : ports.items())
        if (bindings.is_array())
            for (const auto& b : bindings) lines.emplace_back(key, key + " -> " + host_address(b));
    for (const auto& [_, line] : lines) out += line + "\n";
    return session.out(out);
}

Result<void> run_top(Session& session, const ParsedFlags& f) {
    QueryParams query;
    if (f.args.size() > 1)
        query.emplace_back("ps_args",
                           join(std::vector<std::string>(f.args.begin() + 1, f.args.end()), " "));
    ApiClient* api = BERTH_TRY(session.api());
    Json top = BERTH_TRY(api->get_json(container_path(f.args[0], "/top"), query));
    std::string text;
    std::vector<std::string> titles;
    for (const auto& t : top.value("Titles", Json::array())) titles.push_back(t.get<std::string>());
    text += join(titles, "\t") + "\n";
    for (const auto& p : top.value("Processes", Json::array())) {
        std::vector<std::string> cells;
        for (const auto& c : p) cells.push_back(c.is_string() ? c.get<std::string>() : c.dump());
        text += join(cells, "\t") + "\n";
    }
    return session.out(tabwrite(text, 20, 3));
}

Result<void> run_diff(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    Json changes = BERTH_TRY(api->get_json(container_path(f.args[0], "/changes")));
    std::string out;
    if (changes.is_array())
        for (const auto& c : changes) {
            int kind = c.value("Kind", 0);
            out += std::string(kind == 1   ? "A"
                               : kind == 2 ? "D"
                                           : "C") +
                   " " + c.value("Path", "") + "\n";
        }
    return session.out(out);
}

// Copies a response body to `fd`.
Result<void> copy_body(http::ClientResponse& resp, int fd) {
    FdWriter out(fd);
    char buf[64 * 1024];
    for (;;) {
        size_t n = BERTH_TRY(resp.body().read(buf, sizeof buf));
        if (n == 0) return {};
        BERTH_TRYV(out.write(std::string_view(buf, n)));
    }
}

Result<void> run_export(Session& session, const ParsedFlags& f) {
    std::string output = f.value("output");
    if (output.empty() && isatty(session.io().out))
        return fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("GET", container_path(f.args[0], "/export")));
    if (output.empty()) return copy_body(resp, session.io().out);
    UniqueFd file = BERTH_TRY(open_fd(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    return copy_body(resp, file.get());
}

std::int64_t now_nanos() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Result<void> run_logs(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    Json info = BERTH_TRY(inspect_container(*api, f.args[0]));
    QueryParams query = {{"stdout", "1"}, {"stderr", "1"}};
    if (f.has("since"))
        query.emplace_back("since", BERTH_TRY(timestamp_arg(f.value("since"), now_nanos())));
    if (f.has("until"))
        query.emplace_back("until", BERTH_TRY(timestamp_arg(f.value("until"), now_nanos())));
    if (f.enabled("timestamps")) query.emplace_back("timestamps", "1");
    if (f.enabled("details")) query.emplace_back("details", "1");
    if (f.enabled("follow")) query.emplace_back("follow", "1");
    query.emplace_back("tail", f.has("tail") ? f.value("tail") : "all");
    auto resp = BERTH_TRY(api->call("GET", container_path(f.args[0], "/logs"), query));
    if (info["Config"].value("Tty", false)) return copy_body(resp, session.io().out);
    FdWriter out(session.io().out), err(session.io().err);
    StdcopyDemux demux(out, err);
    char buf[64 * 1024];
    for (;;) {
        size_t n = BERTH_TRY(resp.body().read(buf, sizeof buf));
        if (n == 0) return {};
        BERTH_TRYV(demux.feed(std::string_view(buf, n)));
    }
}

Result<void> run_prune(Session& session, const ParsedFlags& f) {
    if (!f.enabled("force") &&
        !session.confirmed("WARNING! This will remove all stopped containers."))
        return {};
    QueryParams query;
    add_filters_param(query, f.list("filter"));
    ApiClient* api = BERTH_TRY(session.api());
    Json report = BERTH_TRY(api->call_json("POST", "/containers/prune", query));
    std::string out;
    if (auto deleted = report.find("ContainersDeleted");
        deleted != report.end() && deleted->is_array() && !deleted->empty()) {
        out = "Deleted Containers:\n";
        for (const auto& id : *deleted) out += id.get<std::string>() + "\n";
        out += "\n";
    }
    auto reclaimed = report.value("SpaceReclaimed", std::int64_t{0});
    return session.out(
        out + "Total reclaimed space: " + human_size(static_cast<double>(reclaimed)) + "\n");
}

}  // namespace

std::vector<Command> container_info_commands() {
    std::vector<Command> out;
    out.push_back({
        .path = "container ls",
        .aliases = {"container list", "container ps", "ps"},
        .usage = "[OPTIONS]",
        .description = "List containers",
        .flags =
            {
                {.long_name = "all",
                 .short_name = 'a',
                 .help = "Show all containers (default shows just running)"},
                filter_flag("Filter output based on conditions provided"),
                format_flag("Pretty-print containers using a Go template"),
                {.long_name = "last",
                 .short_name = 'n',
                 .kind = FlagDef::Int,
                 .default_value = "-1",
                 .help = "Show n last created containers (includes all states)"},
                {.long_name = "latest",
                 .short_name = 'l',
                 .help = "Show the latest created container (includes all states)"},
                {.long_name = "no-trunc", .help = "Don't truncate output"},
                {.long_name = "quiet", .short_name = 'q', .help = "Only display container IDs"},
                {.long_name = "size", .short_name = 's', .help = "Display total file sizes"},
            },
        .max_args = 0,
        .check = [](const ParsedFlags& f) { return check_filters(f); },
        .run = run_ps,
    });
    out.push_back({
        .path = "container port",
        .aliases = {"port"},
        .usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
        .description = "List port mappings or a specific mapping for the container",
        .min_args = 1,
        .max_args = 2,
        .run = run_port,
    });
    out.push_back({
        .path = "container top",
        .aliases = {"top"},
        .usage = "CONTAINER [ps OPTIONS]",
        .description = "Display the running processes of a container",
        .min_args = 1,
        .run = run_top,
        .stop_at_args = true,
    });
    out.push_back({
        .path = "container diff",
        .aliases = {"diff"},
        .usage = "CONTAINER",
        .description = "Inspect changes to files or directories on a container's filesystem",
        .min_args = 1,
        .max_args = 1,
        .run = run_diff,
    });
    out.push_back({
        .path = "container export",
        .aliases = {"export"},
        .usage = "[OPTIONS] CONTAINER",
        .description = "Export a container's filesystem as a tar archive",
        .flags = {{.long_name = "output",
                   .short_name = 'o',
                   .kind = FlagDef::String,
                   .help = "Write to a file, instead of STDOUT"}},
        .min_args = 1,
        .max_args = 1,
        .run = run_export,
    });
    out.push_back({
        .path = "container logs",
        .aliases = {"logs"},
        .usage = "[OPTIONS] CONTAINER",
        .description = "Fetch the logs of a container",
        .flags =
            {
                {.long_name = "details", .help = "Show extra details provided to logs"},
                {.long_name = "follow", .short_name = 'f', .help = "Follow log output"},
                {.long_name = "since",
                 .kind = FlagDef::String,
                 .help = "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. "
                         "42m for 42 minutes)"},
                {.long_name = "tail",
                 .short_name = 'n',
                 .kind = FlagDef::String,
                 .default_value = "all",
                 .help = "Number of lines to show from the end of the logs"},
                {.long_name = "timestamps", .short_name = 't', .help = "Show timestamps"},
                {.long_name = "until",
                 .kind = FlagDef::String,
                 .help = "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative "
                         "(e.g. 42m for 42 minutes)"},
            },
        .min_args = 1,
        .max_args = 1,
        .run = run_logs,
    });
    out.push_back({
        .path = "container prune",
        .usage = "[OPTIONS]",
        .description = "Remove all stopped containers",
        .flags = prune_flags(),
        .max_args = 0,
        .check = prune_check,
        .run = run_prune,
    });
    return out;
}

}  // namespace berth::cli

// berth stats: GET /containers/{id}/stats?stream=0 per container, shown as
// docker's table (CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS), once
// with --no-stream, else redrawn every second.
#include <unistd.h>

#include <cstdio>

#include "cli/berth/command.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/format/formatter.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

double number(const Json& obj, std::initializer_list<const char*> path) {
    const Json* at = &obj;
    for (const char* key : path) {
        if (!at->is_object() || !at->contains(key)) return 0;
        at = &(*at)[key];
    }
    return at->is_number() ? at->get<double>() : 0;
}

std::string percent(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", value);
    return buf;
}

std::string pair_sizes(double a, double b) {
    return human_size_with_precision(a, 3) + " / " + human_size_with_precision(b, 3);
}

// One row of the stats table from a stats object (docker's calculate* helpers).
Json stats_row(const Json& s, const std::string& container, bool no_trunc) {
    double cpu_delta = number(s, {"cpu_stats", "cpu_usage", "total_usage"}) -
                       number(s, {"precpu_stats", "cpu_usage", "total_usage"});
    double system_delta = number(s, {"cpu_stats", "system_cpu_usage"}) -
                          number(s, {"precpu_stats", "system_cpu_usage"});
    double cpus = number(s, {"cpu_stats", "online_cpus"});
    if (cpus == 0 && s.contains("cpu_stats") && s["cpu_stats"].contains("cpu_usage") &&
        s["cpu_stats"]["cpu_usage"].contains("percpu_usage") &&
        s["cpu_stats"]["cpu_usage"]["percpu_usage"].is_array())
        cpus = static_cast<double>(s["cpu_stats"]["cpu_usage"]["percpu_usage"].size());
    double cpu = system_delta > 0 && cpu_delta > 0 ? cpu_delta / system_delta * cpus * 100.0 : 0.0;
    // Page cache does not count, as docker's calculateMemUsageUnixNoCache: cgroup
    // v2 names it inactive_file, v1 total_inactive_file.
    double usage = number(s, {"memory_stats", "usage"});
    double cache = number(s, {"memory_stats", "stats", "total_inactive_file"});
    if (cache == 0) cache = number(s, {"memory_stats", "stats", "inactive_file"});
    if (cache < usage) usage -= cache;
    double limit = number(s, {"memory_stats", "limit"});
    double rx = 0, tx = 0;
    if (s.contains("networks") && s["networks"].is_object())
        for (const auto& [_, n] : s["networks"].items())
            rx += number(n, {"rx_bytes"}), tx += number(n, {"tx_bytes"});
    double read = 0, write = 0;
    if (s.contains("blkio_stats") && s["blkio_stats"].contains("io_service_bytes_recursive") &&
        s["blkio_stats"]["io_service_bytes_recursive"].is_array())
        for (const auto& e : s["blkio_stats"]["io_service_bytes_recursive"]) {
            std::string op = e.value("op", "");
            if (op == "read" || op == "Read") read += number(e, {"value"});
            if (op == "write" || op == "Write") write += number(e, {"value"});
        }
    std::string name = s.value("name", "");
    if (name.starts_with("/")) name.erase(0, 1);
    std::string id = s.value("id", "");
    return {
        {"Container", container},
        {"ID", no_trunc ? id : id.substr(0, 12)},
        {"Name", name.empty() ? "--" : name},
        {"CPUPerc", percent(cpu)},
        {"MemUsage", bytes_size(usage) + " / " + bytes_size(limit)},
        {"MemPerc", percent(limit > 0 ? usage / limit * 100.0 : 0.0)},
        {"NetIO", pair_sizes(rx, tx)},
        {"BlockIO", pair_sizes(read, write)},
        {"PIDs", std::to_string(static_cast<std::int64_t>(number(s, {"pids_stats", "current"})))},
    };
}

const std::map<std::string, std::string>& stats_headers() {
    static const std::map<std::string, std::string> headers = {
        {"Container", "CONTAINER"},
        {"ID", "CONTAINER ID"},
        {"Name", "NAME"},
        {"CPUPerc", "CPU %"},
        {"MemUsage", "MEM USAGE / LIMIT"},
        {"MemPerc", "MEM %"},
        {"NetIO", "NET I/O"},
        {"BlockIO", "BLOCK I/O"},
        {"PIDs", "PIDS"},
    };
    return headers;
}

constexpr std::string_view kStatsTable =
    "table "
    "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{."
    "PIDs}}";

Result<std::vector<std::string>> containers_to_show(ApiClient& api, const ParsedFlags& f) {
    if (!f.args.empty()) return f.args;
    QueryParams query;
    if (f.enabled("all")) query.emplace_back("all", "1");
    Json list = BERTH_TRY(api.get_json("/containers/json", query));
    std::vector<std::string> ids;
    for (const auto& c : list) ids.push_back(c.value("Id", "").substr(0, 12));
    return ids;
}

Result<std::string> render(ApiClient& api, const ParsedFlags& f,
                           const std::vector<std::string>& names) {
    std::vector<Json> rows;
    std::string errors;
    for (const auto& name : names) {
        auto stats = api.get_json("/containers/" + path_escape(name) + "/stats", {{"stream", "0"}});
        if (!stats) {
            errors += (errors.empty() ? "" : "\n") + stats.error().message;
            continue;
        }
        rows.push_back(stats_row(*stats, name, f.enabled("no-trunc")));
    }
    if (!errors.empty()) return fail(errors);
    return format_rows(f.value("format"), kStatsTable, stats_headers(), rows);
}

Result<void> run_stats(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    if (f.enabled("no-stream")) {
        auto names = BERTH_TRY(containers_to_show(*api, f));
        return session.out(BERTH_TRY(render(*api, f, names)));
    }
    for (;;) {
        auto names = BERTH_TRY(containers_to_show(*api, f));
        std::string table = BERTH_TRY(render(*api, f, names));
        // docker redraws in place on a terminal: clear, home, table.
        BERTH_TRYV(session.out((isatty(session.io().out) ? "\033[2J\033[H" : "") + table));
        sleep(1);
    }
}

}  // namespace

Command stats_command() {
    return {
        .path = "container stats",
        .aliases = {"stats"},
        .usage = "[OPTIONS] [CONTAINER...]",
        .description = "Display a live stream of container(s) resource usage statistics",
        .flags =
            {
                {.long_name = "all",
                 .short_name = 'a',
                 .help = "Show all containers (default shows just running)"},
                format_flag("Pretty-print images using a Go template"),
                {.long_name = "no-stream",
                 .help = "Disable streaming stats and only pull the first result"},
                {.long_name = "no-trunc", .help = "Do not truncate output"},
            },
        .run = run_stats,
    };
}

}  // namespace berth::cli

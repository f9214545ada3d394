// berth update (resources and restart policy of existing containers) and berth
// commit (a container's changes as a new image), as docker 20.10's.
#include "base/strings.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/container_create_request.hpp"
#include "cli/berth/container_opts.hpp"
#include "cli/berth/image_names.hpp"

namespace berth::cli {
namespace {

FlagDef flag(std::string name, FlagDef::Kind kind, std::string help, char short_name = 0,
             std::string type_name = {}) {
    return {.long_name = std::move(name),
            .short_name = short_name,
            .kind = kind,
            .help = std::move(help),
            .type_name = std::move(type_name)};
}

std::vector<FlagDef> update_flags() {
    return {
        flag("blkio-weight", FlagDef::String,
             "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", 0,
             "uint16"),
        flag("cpu-period", FlagDef::Int, "Limit CPU CFS (Completely Fair Scheduler) period"),
        flag("cpu-quota", FlagDef::Int, "Limit CPU CFS (Completely Fair Scheduler) quota"),
        flag("cpu-rt-period", FlagDef::Int, "Limit the CPU real-time period in microseconds"),
        flag("cpu-rt-runtime", FlagDef::Int, "Limit the CPU real-time runtime in microseconds"),
        flag("cpu-shares", FlagDef::Int, "CPU shares (relative weight)", 'c'),
        flag("cpus", FlagDef::String, "Number of CPUs", 0, "decimal"),
        flag("cpuset-cpus", FlagDef::String, "CPUs in which to allow execution (0-3, 0,1)"),
        flag("cpuset-mems", FlagDef::String, "MEMs in which to allow execution (0-3, 0,1)"),
        flag("kernel-memory", FlagDef::String, "Kernel memory limit", 0, "bytes"),
        flag("memory", FlagDef::String, "Memory limit", 'm', "bytes"),
        flag("memory-reservation", FlagDef::String, "Memory soft limit", 0, "bytes"),
        flag("memory-swap", FlagDef::String,
             "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", 0, "bytes"),
        flag("pids-limit", FlagDef::Int, "Tune container pids limit (set -1 for unlimited)"),
        flag("restart", FlagDef::String, "Restart policy to apply when a container exits"),
    };
}

Result<Json> update_body(const ParsedFlags& f) {
    Json body = Json::object();
    auto defs = update_flags();
    for (auto [name, field] : {std::pair{"memory", "Memory"},
                               {"memory-reservation", "MemoryReservation"},
                               {"kernel-memory", "KernelMemory"}})
        if (f.has(name))
            body[field] = BERTH_TRY(bytes_flag(
                f, name,
                std::string(name) == "memory" ? "-m, --memory" : "--" + std::string(name)));
    if (f.has("memory-swap")) {
        auto swap = parse_memory_swap(f.value("memory-swap"));
        if (!swap)
            return fail("invalid argument \"" + f.value("memory-swap") +
                        "\" for \"--memory-swap\" flag: " + swap.error().message);
        body["MemorySwap"] = *swap;
    }
    if (f.has("cpus")) {
        auto cpus = parse_nano_cpus(f.value("cpus"));
        if (!cpus)
            return fail("invalid argument \"" + f.value("cpus") +
                        "\" for \"--cpus\" flag: " + cpus.error().message);
        body["NanoCpus"] = *cpus;
    }
    for (auto [name, field] : {std::pair{"cpu-period", "CpuPeriod"},
                               {"cpu-quota", "CpuQuota"},
                               {"cpu-rt-period", "CpuRealtimePeriod"},
                               {"cpu-rt-runtime", "CpuRealtimeRuntime"},
                               {"cpu-shares", "CpuShares"},
                               {"pids-limit", "PidsLimit"},
                               {"blkio-weight", "BlkioWeight"}})
        if (f.has(name)) {
            auto v = parse_int(f.value(name));
            if (!v)
                return fail("invalid argument \"" + f.value(name) + "\" for \"--" + name +
                            "\" flag: invalid syntax");
            body[field] = *v;
        }
    for (auto [name, field] :
         {std::pair{"cpuset-cpus", "CpusetCpus"}, {"cpuset-mems", "CpusetMems"}})
        if (f.has(name)) body[field] = f.value(name);
    if (f.has("restart"))
        body["RestartPolicy"] = BERTH_TRY(parse_restart_policy(f.value("restart")));
    return body;
}

Result<void> run_update(Session& session, const ParsedFlags& f) {
    if (f.values.empty()) return fail("you must provide one or more flags when using this command");
    Json body = BERTH_TRY(update_body(f));
    ApiClient* api = BERTH_TRY(session.api());
    std::string errors;
    for (const auto& name : f.args) {
        auto answer = api->post_json("/containers/" + path_escape(name) + "/update", body);
        if (!answer) {
            errors += (errors.empty() ? "" : "\n") + answer.error().message;
            continue;
        }
        if (answer->contains("Warnings") && (*answer)["Warnings"].is_array())
            for (const auto& w : (*answer)["Warnings"])
                if (w.is_string()) session.err(w.get<std::string>() + "\n");
        BERTH_TRYV(session.out(name + "\n"));
    }
    if (!errors.empty()) return fail(errors);
    return {};
}

Result<void> run_commit(Session& session, const ParsedFlags& f) {
    QueryParams query = {{"container", f.args[0]}};
    if (f.args.size() == 2) {
        RepoTag ref = BERTH_TRY(split_repo_tag(f.args[1]));
        query.emplace_back("repo", ref.repo);
        query.emplace_back("tag", ref.tag);
    }
    query.emplace_back("comment", f.value("message"));
    query.emplace_back("author", f.value("author"));
    for (const auto& change : f.list("change")) query.emplace_back("changes", change);
    query.emplace_back("pause", f.value("pause") == "false" ? "0" : "1");
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("POST", "/commit", query, "{}"));
    Json answer = BERTH_TRY(parse_json(BERTH_TRY(resp.read_body()), "commit answer"));
    return session.out(answer.value("Id", "") + "\n");
}

}  // namespace

std::vector<Command> container_update_commit_commands() {
    std::vector<Command> out;
    out.push_back({
        .path = "container update",
        .aliases = {"update"},
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Update configuration of one or more containers",
        .flags = update_flags(),
        .min_args = 1,
        .check = [](const ParsedFlags& f) -> Result<void> {
            BERTH_TRY(update_body(f));
            return {};
        },
        .run = run_update,
    });
    out.push_back({
        .path = "container commit",
        .aliases = {"commit"},
        .usage = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        .description = "Create a new image from a container's changes",
        .flags =
            {
                {.long_name = "author",
                 .short_name = 'a',
                 .kind = FlagDef::String,
                 .help = "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"},
                {.long_name = "change",
                 .short_name = 'c',
                 .kind = FlagDef::StringList,
                 .help = "Apply Dockerfile instruction to the created image"},
                {.long_name = "message",
                 .short_name = 'm',
                 .kind = FlagDef::String,
                 .help = "Commit message"},
                {.long_name = "pause",
                 .short_name = 'p',
                 .default_value = "true",
                 .help = "Pause container during commit"},
            },
        .min_args = 1,
        .max_args = 2,
        .run = run_commit,
    });
    return out;
}

}  // namespace berth::cli

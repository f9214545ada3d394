// berth start/stop/restart/kill/rm/pause/unpause/wait/rename: one request per
// container, each name printed on success, the errors gathered, exit 1 if any.
#include "base/strings.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/container_session.hpp"

namespace berth::cli {
namespace {

using PerContainer = std::function<Result<std::string>(ApiClient&, const std::string&)>;

// docker's pattern: stdout gets what `each` returns (the name, an exit code), the
// errors go together to stderr at the end.
Result<void> for_each_container(Session& session, const std::vector<std::string>& names,
                                const PerContainer& each) {
    ApiClient* api = BERTH_TRY(session.api());
    std::string errors;
    for (const auto& name : names) {
        auto done = each(*api, name);
        if (!done)
            errors += (errors.empty() ? "" : "\n") + done.error().message;
        else
            BERTH_TRYV(session.out(*done + "\n"));
    }
    if (!errors.empty()) return fail(errors);
    return {};
}

std::string container_path(const std::string& name, std::string_view tail) {
    return "/containers/" + path_escape(name) + std::string(tail);
}

PerContainer post_each(std::string_view tail, QueryParams query = {}) {
    return [tail = std::string(tail), query](ApiClient& api,
                                             const std::string& name) -> Result<std::string> {
        BERTH_TRY(api.call("POST", container_path(name, tail), query));
        return name;
    };
}

Command simple_command(std::string name, std::string description, std::string_view tail) {
    return {
        .path = "container " + name,
        .aliases = {name},
        .usage = "CONTAINER [CONTAINER...]",
        .description = std::move(description),
        .min_args = 1,
        .run = [tail = std::string(tail)](
                   Session& s,
                   const ParsedFlags& f) { return for_each_container(s, f.args, post_each(tail)); },
    };
}

QueryParams time_query(const ParsedFlags& f) {
    if (!f.has("time")) return {};
    return {{"t", f.value("time")}};
}

FlagDef time_flag() {
    return {.long_name = "time",
            .short_name = 't',
            .kind = FlagDef::Int,
            .default_value = "10",
            .help = "Seconds to wait for stop before killing it"};
}

// One container with -a/-i: attach first, start, stream, exit with its code.
Result<int> start_attached(Session& session, const ParsedFlags& f) {
    if (f.args.size() > 1) return fail("you cannot start and attach multiple containers at once");
    ApiClient* api = BERTH_TRY(session.api());
    Json info = BERTH_TRY(inspect_container(*api, f.args[0]));
    std::string id = info.value("Id", f.args[0]);
    const Json& config = info["Config"];
    bool tty = config.value("Tty", false);
    bool in = f.enabled("interactive") && config.value("OpenStdin", false);
    auto stream = BERTH_TRY(
        attach_container(*api, id, {.in = in, .out = true, .err = true}, f.value("detach-keys")));
    auto waiter = BERTH_TRY(ExitWaiter::start(session.host(), id, "next-exit"));
    BERTH_TRY(api->call("POST", container_path(id, "/start")));
    StreamSession options{.id = id,
                          .resize_path = container_path(id, "/resize"),
                          .tty = tty,
                          .send_stdin = in,
                          .sig_proxy = !tty,
                          .detach_keys = f.value("detach-keys")};
    if (BERTH_TRY(stream_session(session, std::move(stream), options)) == PumpEnd::detached)
        return 0;
    return waiter.status();
}

Result<int> run_start(Session& session, const ParsedFlags& f) {
    if (f.enabled("attach") || f.enabled("interactive")) return start_attached(session, f);
    ApiClient* api = BERTH_TRY(session.api());
    std::vector<std::string> failed;
    for (const auto& name : f.args) {
        if (auto started = api->call("POST", container_path(name, "/start")); !started) {
            session.err(started.error().message + "\n");
            failed.push_back(name);
            continue;
        }
        BERTH_TRYV(session.out(name + "\n"));
    }
    if (!failed.empty()) return fail("Error: failed to start containers: " + join(failed, ", "));
    return 0;
}

Result<int> run_attach(Session& session, const ParsedFlags& f) {
    ApiClient* api = BERTH_TRY(session.api());
    Json info = BERTH_TRY(inspect_container(*api, f.args[0]));
    const Json& state = info["State"];
    if (!state.value("Running", false))
        return fail("You cannot attach to a stopped container, start it first");
    if (state.value("Paused", false))
        return fail("You cannot attach to a paused container, unpause it first");
    if (state.value("Restarting", false))
        return fail("You cannot attach to a restarting container, wait until it is running");
    std::string id = info.value("Id", f.args[0]);
    bool tty = info["Config"].value("Tty", false);
    bool in = !f.enabled("no-stdin") && info["Config"].value("OpenStdin", false);
    auto waiter = BERTH_TRY(ExitWaiter::start(session.host(), id, "next-exit"));
    auto stream = BERTH_TRY(
        attach_container(*api, id, {.in = in, .out = true, .err = true}, f.value("detach-keys")));
    StreamSession options{.id = id,
                          .resize_path = container_path(id, "/resize"),
                          .tty = tty,
                          .send_stdin = in,
                          .sig_proxy = f.value("sig-proxy") != "false" && !tty,
                          .detach_keys = f.value("detach-keys")};
    if (BERTH_TRY(stream_session(session, std::move(stream), options)) == PumpEnd::detached)
        return 0;
    return waiter.status();
}

Result<void> run_wait(Session& session, const ParsedFlags& f) {
    return for_each_container(
        session, f.args, [](ApiClient& api, const std::string& name) -> Result<std::string> {
            Json answer = BERTH_TRY(api.call_json("POST", container_path(name, "/wait")));
            if (answer.contains("Error") && answer["Error"].is_object())
                return fail(answer["Error"].value("Message", "wait failed"));
            return std::to_string(answer.value("StatusCode", 0));
        });
}

Result<void> run_rename(Session& session, const ParsedFlags& f) {
    std::string old_name(trim(f.args[0])), new_name(trim(f.args[1]));
    if (old_name.empty() || new_name.empty())
        return fail("Error: Neither old nor new names may be empty");
    ApiClient* api = BERTH_TRY(session.api());
    auto renamed = api->call("POST", container_path(old_name, "/rename"), {{"name", new_name}});
    if (!renamed)
        return fail(renamed.error().message + "\nError: failed to rename container named " +
                    old_name);
    return {};
}

}  // namespace

std::vector<Command> container_lifecycle_commands() {
    std::vector<Command> out;
    out.push_back({
        .path = "container start",
        .aliases = {"start"},
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Start one or more stopped containers",
        .flags =
            {
                {.long_name = "attach",
                 .short_name = 'a',
                 .help = "Attach STDOUT/STDERR and forward signals"},
                {.long_name = "detach-keys",
                 .kind = FlagDef::String,
                 .help = "Override the key sequence for detaching a container"},
                {.long_name = "interactive", .short_name = 'i', .help = "Attach container's STDIN"},
            },
        .min_args = 1,
        .run_status = run_start,
    });
    out.push_back({
        .path = "container stop",
        .aliases = {"stop"},
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Stop one or more running containers",
        .flags = {time_flag()},
        .min_args = 1,
        .run =
            [](Session& s, const ParsedFlags& f) {
                return for_each_container(s, f.args, post_each("/stop", time_query(f)));
            },
    });
    out.push_back({
        .path = "container restart",
        .aliases = {"restart"},
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Restart one or more containers",
        .flags = {time_flag()},
        .min_args = 1,
        .run =
            [](Session& s, const ParsedFlags& f) {
                return for_each_container(s, f.args, post_each("/restart", time_query(f)));
            },
    });
    out.push_back({
        .path = "container kill",
        .aliases = {"kill"},
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Kill one or more running containers",
        .flags = {{.long_name = "signal",
                   .short_name = 's',
                   .kind = FlagDef::String,
                   .default_value = "KILL",
                   .help = "Signal to send to the container"}},
        .min_args = 1,
        .run =
            [](Session& s, const ParsedFlags& f) {
                return for_each_container(
                    s, f.args,
                    post_each("/kill", {{"signal", f.has("signal") ? f.value("signal") : "KILL"}}));
            },
    });
    out.push_back({
        .path = "container rm",
        .aliases = {"rm"},
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Remove one or more containers",
        .flags =
            {
                {.long_name = "force",
                 .short_name = 'f',
                 .help = "Force the removal of a running container (uses SIGKILL)"},
                {.long_name = "link", .short_name = 'l', .help = "Remove the specified link"},
                {.long_name = "volumes",
                 .short_name = 'v',
                 .help = "Remove anonymous volumes associated with the container"},
            },
        .min_args = 1,
        .run =
            [](Session& s, const ParsedFlags& f) {
                QueryParams query;
                if (f.enabled("volumes")) query.emplace_back("v", "1");
                if (f.enabled("link")) query.emplace_back("link", "1");
                if (f.enabled("force")) query.emplace_back("force", "1");
                return for_each_container(
                    s, f.args,
                    [query](ApiClient& api, const std::string& name) -> Result<std::string> {
                        std::string trimmed = name.starts_with("/") ? name.substr(1) : name;
                        if (trimmed.empty()) return fail("Container name cannot be empty");
                        auto removed = api.call("DELETE", container_path(trimmed, ""), query);
                        if (!removed && removed.error().kind == ErrorKind::not_found)
                            return fail("Error: No such container: " +
                                        trimmed);  // the client's wrapResponseError
                        BERTH_TRY(std::move(removed));
                        return name;
                    });
            },
    });
    out.push_back(
        simple_command("pause", "Pause all processes within one or more containers", "/pause"));
    out.push_back(simple_command("unpause", "Unpause all processes within one or more containers",
                                 "/unpause"));
    out.push_back({
        .path = "container wait",
        .aliases = {"wait"},
        .usage = "CONTAINER [CONTAINER...]",
        .description = "Block until one or more containers stop, then print their exit codes",
        .min_args = 1,
        .run = run_wait,
    });
    out.push_back({
        .path = "container rename",
        .aliases = {"rename"},
        .usage = "CONTAINER NEW_NAME",
        .description = "Rename a container",
        .min_args = 2,
        .max_args = 2,
        .run = run_rename,
    });
    out.push_back({
        .path = "container attach",
        .aliases = {"attach"},
        .usage = "[OPTIONS] CONTAINER",
        .description =
            "Attach local standard input, output, and error streams to a running container",
        .flags =
            {
                {.long_name = "detach-keys",
                 .kind = FlagDef::String,
                 .help = "Override the key sequence for detaching a container"},
                {.long_name = "no-stdin", .help = "Do not attach STDIN"},
                {.long_name = "sig-proxy",
                 .default_value = "true",
                 .help = "Proxy all received signals to the process"},
            },
        .min_args = 1,
        .max_args = 1,
        .run_status = run_attach,
    });
    return out;
}

}  // namespace berth::cli

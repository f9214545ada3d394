// berth exec: POST /containers/{id}/exec, then /exec/{id}/start hijacked (or
// detached), and the exit code from GET /exec/{id}/json, as docker's exec.go.
#include <unistd.h>

#include "cli/berth/command.hpp"
#include "cli/berth/container_opts.hpp"
#include "cli/berth/container_session.hpp"

namespace berth::cli {
namespace {

Result<Json> exec_config(const ParsedFlags& f) {
    std::vector<std::string> env;
    EnvLookup lookup = process_env();
    for (const auto& file : f.list("env-file")) {
        auto lines = BERTH_TRY(read_key_value_file(file, &lookup));
        env.insert(env.end(), lines.begin(), lines.end());
    }
    for (const auto& e : f.list("env")) env.push_back(env_entry(e, lookup));
    bool detach = f.enabled("detach");
    Json config = {
        {"User", f.value("user")},
        {"Privileged", f.enabled("privileged")},
        {"Tty", f.enabled("tty")},
        {"AttachStdin", f.enabled("interactive") && !detach},
        {"AttachStdout", !detach},
        {"AttachStderr", !detach},
        {"Detach", detach},
        {"Cmd", std::vector<std::string>(f.args.begin() + 1, f.args.end())},
        {"WorkingDir", f.value("workdir")},
    };
    if (!env.empty()) config["Env"] = env;
    if (f.has("detach-keys")) config["DetachKeys"] = f.value("detach-keys");
    return config;
}

Result<int> run_exec(Session& session, const ParsedFlags& f) {
    Json config = BERTH_TRY(exec_config(f));
    if (config["Tty"].get<bool>() && config["AttachStdin"].get<bool>() && !isatty(session.io().in))
        return fail("the input device is not a TTY");
    ApiClient* api = BERTH_TRY(session.api());
    std::string container = f.args[0];
    auto made = api->post_json("/containers/" + path_escape(container) + "/exec", config);
    if (!made && made.error().kind == ErrorKind::not_found)
        return fail("Error: No such container: " + container);  // the client's wrapResponseError, as docker's
    Json created = BERTH_TRY(std::move(made));
    std::string exec_id = created.value("Id", "");
    if (exec_id.empty()) return fail("exec ID empty");
    bool tty = config["Tty"];
    Json start = {{"Detach", config["Detach"]}, {"Tty", tty}};
    if (config["Detach"].get<bool>()) {
        BERTH_TRY(api->call("POST", "/exec/" + exec_id + "/start", {}, start.dump()));
        return 0;
    }
    auto stream = BERTH_TRY(api->hijack("POST", "/exec/" + exec_id + "/start", {}, start.dump()));
    StreamSession options{.id = container,
                          .resize_path = "/exec/" + exec_id + "/resize",
                          .tty = tty,
                          .send_stdin = config["AttachStdin"].get<bool>(),
                          .sig_proxy = false,
                          .detach_keys = f.value("detach-keys")};
    if (BERTH_TRY(stream_session(session, std::move(stream), options)) == PumpEnd::detached)
        return 0;
    Json inspected = BERTH_TRY(api->get_json("/exec/" + exec_id + "/json"));
    return inspected.value("ExitCode", 0);
}

}  // namespace

Command exec_command() {
    return {
        .path = "container exec",
        .aliases = {"exec"},
        .usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
        .description = "Run a command in a running container",
        .flags =
            {
                {.long_name = "detach",
                 .short_name = 'd',
                 .help = "Detached mode: run command in the background"},
                {.long_name = "detach-keys",
                 .kind = FlagDef::String,
                 .help = "Override the key sequence for detaching a container"},
                {.long_name = "env",
                 .short_name = 'e',
                 .kind = FlagDef::StringList,
                 .help = "Set environment variables"},
                {.long_name = "env-file",
                 .kind = FlagDef::StringList,
                 .help = "Read in a file of environment variables"},
                {.long_name = "interactive",
                 .short_name = 'i',
                 .help = "Keep STDIN open even if not attached"},
                {.long_name = "privileged", .help = "Give extended privileges to the command"},
                {.long_name = "tty", .short_name = 't', .help = "Allocate a pseudo-TTY"},
                {.long_name = "user",
                 .short_name = 'u',
                 .kind = FlagDef::String,
                 .help = "Username or UID (format: <name|uid>[:<group|gid>])"},
                {.long_name = "workdir",
                 .short_name = 'w',
                 .kind = FlagDef::String,
                 .help = "Working directory inside the container"},
            },
        .min_args = 2,
        .run_status = run_exec,
        .stop_at_args = true,
    };
}

}  // namespace berth::cli

#include "cli/runtime/runtime_cli.hpp"

#include <iostream>
#include <map>

#include "base/log.hpp"
#include "cli/runtime/args.hpp"
#include "cli/runtime/commands.hpp"

namespace berth::cli {
namespace {

using Command = Result<int> (*)(const Globals&, const Argv&, size_t);

const std::map<std::string, std::pair<Command, const char*>>& commands() {
    static const std::map<std::string, std::pair<Command, const char*>> table = {
        {"create", {cmd_create, "create a container"}},
        {"delete", {cmd_delete, "delete any resources held by the container"}},
        {"exec", {cmd_exec, "execute new process inside the container"}},
        {"features", {cmd_features, "show the enabled features"}},
        {"kill",
         {cmd_kill,
          "kill sends the specified signal (default: SIGTERM) to the container's init process"}},
        {"list", {cmd_list, "lists containers started by berth-runtime with the given root"}},
        {"pause", {cmd_pause, "pause suspends all processes inside the container"}},
        {"ps", {cmd_ps, "ps displays the processes running inside a container"}},
        {"resume", {cmd_resume, "resumes all processes that have been previously paused"}},
        {"run", {cmd_run, "create and run a container"}},
        {"spec", {cmd_spec, "create a new specification file"}},
        {"start", {cmd_start, "executes the user defined process in a created container"}},
        {"state", {cmd_state, "output the state of a container"}},
    };
    return table;
}

const std::vector<FlagSpec> kGlobalFlags = {
    {"root", "", true},
    {"log", "", true},
    {"log-format", "", true},
    {"debug", "", false},
    {"systemd-cgroup", "", false},
    {"rootless", "", true},
    {"criu", "", true},
    {"help", "h", false},
    {"version", "v", false},
};

void print_usage() {
    std::cout
        << "berth-runtime - an OCI runtime with runc's command line\n\n"
           "USAGE:\n   berth-runtime [global options] command [command options] [arguments...]\n\n"
           "COMMANDS:\n";
    for (auto& [name, c] : commands()) std::cout << "   " << name << "\t" << c.second << "\n";
    std::cout << "\nGLOBAL OPTIONS:\n"
                 "   --root value        root directory for storage of container state (default: "
                 "\"/run/berth-runtime\")\n"
                 "   --log value         set the log file to write berth-runtime logs to (default: "
                 "stderr)\n"
                 "   --log-format value  set the log format ('text' (default), or 'json')\n"
                 "   --debug             enable debug logging\n"
                 "   --help, -h          show help\n   --version, -v       print the version\n";
}

Result<int> dispatch(const Argv& argv) {
    size_t consumed = 0;
    auto g = BERTH_TRY(Args::parse(argv, 1, kGlobalFlags, true, &consumed));
    if (g.has("log")) {
        if (!log::set_file(g.get("log").c_str())) return sys_fail("--log " + g.get("log"));
    }
    std::string fmt = g.get("log-format", "text");
    if (fmt == "json")
        log::set_format(log::Format::json);
    else if (fmt != "text")
        return fail("--log-format: unknown format \"" + fmt + "\" (text or json)");
    if (g.has("debug")) log::set_level(log::Level::debug);
    if (g.has("version")) {
        std::cout << "berth-runtime version " << BERTH_VERSION << "\nspec: 1.2.0\n";
        return 0;
    }
    if (g.has("help") || g.positional().empty()) {
        print_usage();
        return g.has("help") ? 0 : 1;
    }
    const std::string& name = g.positional()[0];
    auto it = commands().find(name);
    if (it == commands().end()) return fail("No help topic for '" + name + "'");
    Globals globals;
    globals.root = g.get("root", globals.root);
    return it->second.first(globals, argv, consumed);
}

}  // namespace

int runtime_main(int argc, char** argv) {
    Argv args(argv, argv + argc);
    auto r = dispatch(args);
    if (r) return *r;
    log::error(r.error().message);
    // With --log the error also goes to stderr, plainly, for the caller (as runc).
    if (log::to_file()) std::cerr << r.error().message << "\n";
    return 1;
}

}  // namespace berth::cli

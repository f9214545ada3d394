#include "cli/berth/berth_cli.hpp"

#include "base/log.hpp"

#include <cstdlib>
#include <span>

#include "base/strings.hpp"

namespace berth::cli {
namespace {

struct Group {
    std::string name;
    std::string description;
};

const std::vector<Group>& groups() {
    static const std::vector<Group> g = {
        {"container", "Manage containers"},
        {"image", "Manage images"},
        {"network", "Manage networks"},
        {"system", "Manage berth"}};
    return g;
}

std::vector<FlagDef> global_flags() {
    return {
        {.long_name = "debug", .short_name = 'D', .help = "Enable debug mode"},
        {.long_name = "host", .short_name = 'H', .kind = FlagDef::String, .help = "Daemon socket to connect to"},
        {.long_name = "log-level",
         .short_name = 'l',
         .kind = FlagDef::String,
         .default_value = "info",
         .help = "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")"},
        {.long_name = "version", .short_name = 'v', .help = "Print version information and quit"},
    };
}

// The name a command is listed under in `group` ("" for top level), if it has one there.
std::optional<std::string> name_in(const Command& cmd, const std::string& group) {
    auto paths = cmd.aliases;
    paths.insert(paths.begin(), cmd.path);
    for (const auto& p : paths) {
        auto words = split(p, ' ');
        if (group.empty() && words.size() == 1) return words[0];
        if (!group.empty() && words.size() == 2 && words[0] == group) return words[1];
    }
    return std::nullopt;
}

std::string command_list(const std::string& group) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& cmd : all_commands())
        if (auto name = name_in(cmd, group)) rows.emplace_back(*name, cmd.description);
    std::sort(rows.begin(), rows.end());
    std::string out;
    for (const auto& [name, desc] : rows) out += "  " + name + std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') + desc + "\n";
    return out;
}

std::string main_help() {
    std::string out = "\nUsage:  berth [OPTIONS] COMMAND\n\nA docker-compatible client of berthd\n\nOptions:\n" +
                      flag_usages(global_flags()) + "\nManagement Commands:\n";
    for (const auto& g : groups()) out += "  " + g.name + std::string(12 - g.name.size(), ' ') + g.description + "\n";
    return out + "\nCommands:\n" + command_list("") +
           "\nRun 'berth COMMAND --help' for more information on a command.\n";
}

std::string group_help(const Group& g) {
    return "\nUsage:  berth " + g.name + " COMMAND\n\n" + g.description + "\n\nCommands:\n" + command_list(g.name) +
           "\nRun 'berth " + g.name + " COMMAND --help' for more information on a command.\n";
}

// The names that reach `cmd` from the group it was invoked through: "ls, list".
std::string aliases_in_group(const Command& cmd, const std::string& invoked) {
    auto words = split(invoked, ' ');
    if (words.size() < 2) return "";
    std::vector<std::string> names;
    auto paths = cmd.aliases;
    paths.insert(paths.begin(), cmd.path);
    for (const auto& p : paths) {
        auto w = split(p, ' ');
        if (w.size() == 2 && w[0] == words[0]) names.push_back(w[1]);
    }
    return names.size() > 1 ? join(names, ", ") : "";
}

std::string plural(int n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// cobra's argument checks as docker's cli/required.go words them.
std::optional<std::string> arg_count_error(const Command& cmd, const std::string& invoked, int n) {
    std::string quoted = "\"berth " + invoked + "\"";
    if (cmd.max_args == 0 && n > 0) return quoted + " accepts no arguments.";
    if (cmd.min_args == cmd.max_args && n != cmd.min_args)
        return quoted + " requires exactly " + plural(cmd.min_args, "argument") + ".";
    if (cmd.max_args < 0 && n < cmd.min_args) return quoted + " requires at least " + plural(cmd.min_args, "argument") + ".";
    if (cmd.min_args == 0 && cmd.max_args > 0 && n > cmd.max_args)
        return quoted + " requires at most " + plural(cmd.max_args, "argument") + ".";
    if (cmd.max_args > 0 && (n < cmd.min_args || n > cmd.max_args))
        return quoted + " requires at least " + std::to_string(cmd.min_args) + " and at most " +
               plural(cmd.max_args, "argument") + ".";
    return std::nullopt;
}

const Command* find_command(const std::string& path) {
    for (const auto& cmd : all_commands()) {
        if (cmd.path == path) return &cmd;
        for (const auto& a : cmd.aliases)
            if (a == path) return &cmd;
    }
    return nullptr;
}

int run_command(const Command& cmd, const std::string& invoked, std::span<const std::string> argv,
                const std::string& host, Io io) {
    Session session(host, io);
    std::string see = "See 'berth " + invoked + " --help'.\n";
    auto flags = parse_flags(cmd.flags, argv,
                             cmd.stop_at_args ? ArgMode::StopAtPositional : ArgMode::Interspersed);
    if (flags && !flags->help && cmd.check) {
        if (auto checked = cmd.check(*flags); !checked) flags = std::unexpected(std::move(checked.error()));
    }
    if (!flags) {
        session.err(flags.error().message + "\n" + see);
        return 125;
    }
    std::string usage_line = "berth " + invoked + (cmd.usage.empty() ? "" : " " + cmd.usage);
    if (flags->help) {
        (void)session.out("\n" + usage_text(usage_line, cmd.description, cmd.flags, aliases_in_group(cmd, invoked)));
        return 0;
    }
    if (auto bad = arg_count_error(cmd, invoked, static_cast<int>(flags->args.size()))) {
        session.err(*bad + "\n" + see + "\nUsage:  " + usage_line + "\n\n" + cmd.description + "\n");
        return 1;
    }
    if (cmd.run_status) {
        auto status = cmd.run_status(session, *flags);
        if (status) return *status;
        if (!status.error().message.empty()) session.err(status.error().message + "\n");
        return 1;
    }
    auto result = cmd.run(session, *flags);
    if (!result) {
        if (!result.error().message.empty()) session.err(result.error().message + "\n");
        return 1;
    }
    return 0;
}

}  // namespace

int run_berth(const std::vector<std::string>& args, const std::string& env_host, Io io) {
    Session console("", io);
    auto global = parse_flags(global_flags(), args, ArgMode::StopAtPositional);
    if (!global) {
        console.err(global.error().message + "\nSee 'berth --help'.\n");
        return 125;
    }
    if (global->enabled("version")) {
        (void)console.out("berth version " BERTH_VERSION "\n");
        return 0;
    }
    // -D and -l set what the CLI logs to stderr (each API request at debug), as
    // docker's do; an unknown level is docker's error.
    std::string level = global->enabled("debug") ? "debug" : global->has("log-level") ? global->value("log-level") : "info";
    if (level == "debug") log::set_level(log::Level::debug);
    else if (level == "info") log::set_level(log::Level::info);
    else if (level == "warn") log::set_level(log::Level::warn);
    else if (level == "error" || level == "fatal") log::set_level(log::Level::error);
    else {
        console.err("Unable to parse logging level: " + level + "\n");
        return 1;
    }
    const auto& words = global->args;
    if (global->help || words.empty()) {
        (void)console.out(main_help());
        return 0;
    }
    std::string host = global->has("host") ? global->value("host") : !env_host.empty() ? env_host : std::string(kDefaultHost);
    std::span<const std::string> rest(words);
    for (const auto& g : groups()) {
        if (words[0] != g.name) continue;
        if (words.size() < 2 || words[1] == "--help" || words[1] == "-h") {
            (void)console.out(group_help(g));
            return 0;
        }
        if (const Command* cmd = find_command(g.name + " " + words[1]))
            return run_command(*cmd, g.name + " " + words[1], rest.subspan(2), host, io);
        (void)console.out(group_help(g));
        return 1;
    }
    if (const Command* cmd = find_command(words[0])) return run_command(*cmd, words[0], rest.subspan(1), host, io);
    console.err("berth: '" + words[0] + "' is not a berth command.\nSee 'berth --help'\n");
    return 1;
}

int berth_main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    const char* env_host = std::getenv("BERTH_HOST");
    return run_berth(args, env_host ? env_host : "", Io{});
}

}  // namespace berth::cli

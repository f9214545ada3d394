// What every berth command is made of: its words, docker's usage and flags, how many
// arguments it takes, and the function that runs it against the daemon.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "cli/berth/api_client.hpp"
#include "cli/flags/flags.hpp"

namespace berth::cli {

// The standard streams a command uses (tests pass pipes).
struct Io {
    int in = 0;
    int out = 1;
    int err = 2;
};

// A command's view of the world: its streams and a daemon connection made on first use.
class Session {
  public:
    Session(std::string host, Io io) : host_(std::move(host)), io_(io) {}

    // The connection to the daemon at the -H host (connected on the first call).
    Result<ApiClient*> api();
    const Io& io() const { return io_; }
    // The -H host, for commands that need a second connection (run's wait).
    const std::string& host() const { return host_; }
    // Writes to the command's stdout / stderr.
    Result<void> out(std::string_view text) const;
    void err(std::string_view text) const;
    // Prints `warning` and docker's "Are you sure you want to continue? [y/N] ",
    // then reads one line from stdin: "y" or "Y" confirms.
    bool confirmed(std::string_view warning) const;

  private:
    std::string host_;
    Io io_;
    std::optional<ApiClient> api_;
};

struct Command {
    std::string path;                  // "image ls": the group (if any) and the name
    std::vector<std::string> aliases;  // other paths reaching it: "image list", "images"
    std::string usage;                 // after the command words: "[OPTIONS] [REPOSITORY[:TAG]]"
    std::string description;           // one line, as docker's Short
    std::vector<FlagDef> flags;
    int min_args = 0;
    int max_args = -1;  // -1: no limit
    // Checks flag values before anything is sent; its errors are usage errors
    // (printed with "See 'berth X --help'.", exit 125), as pflag's value errors.
    std::function<Result<void>(const ParsedFlags&)> check;
    std::function<Result<void>(Session&, const ParsedFlags&)> run;
    // Instead of `run`, for commands whose exit code is not just 0 or 1 (run, start,
    // exec, wait: the container's); errors are printed as for `run`, exit 1.
    std::function<Result<int>(Session&, const ParsedFlags&)> run_status;
    // Flags end at the first argument (run IMAGE CMD -x): the command's own flags.
    bool stop_at_args = false;
};

// The commands, one per file (images_command.cpp, ...).
Command images_command();
Command image_inspect_command();
Command inspect_command();
Command history_command();
Command tag_command();
Command rmi_command();
Command image_prune_command();
Command load_command();
Command save_command();
Command import_command();
Command version_command();
Command info_command();
Command system_df_command();
Command events_command();
Command pull_command();
Command push_command();
Command login_command();
Command logout_command();
// Containers (container_*.cpp, run_command.cpp, ps_command.cpp, exec_command.cpp).
std::vector<Command> container_commands();
// Networks (network_commands.cpp; inspect in inspect_command.cpp).
Command network_inspect_command();
std::vector<Command> network_commands();

// Every command, in the order help lists them.
const std::vector<Command>& all_commands();

}  // namespace berth::cli

// Every container command, for all_commands().
#include "cli/berth/command.hpp"

namespace berth::cli {

std::vector<Command> container_lifecycle_commands();
std::vector<Command> container_info_commands();
std::vector<Command> container_update_commit_commands();
Command run_command();
Command create_command();
Command exec_command();
Command container_inspect_command();
Command stats_command();
Command cp_command();

std::vector<Command> container_commands() {
    std::vector<Command> all = {run_command(),  create_command(),
                                exec_command(), container_inspect_command(),
                                cp_command(),   stats_command()};
    for (auto* group : {&container_lifecycle_commands, &container_info_commands,
                        &container_update_commit_commands})
        for (auto& c : group()) all.push_back(std::move(c));
    return all;
}

}  // namespace berth::cli

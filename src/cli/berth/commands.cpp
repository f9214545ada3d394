#include "cli/berth/command.hpp"

namespace berth::cli {

const std::vector<Command>& all_commands() {
    static const std::vector<Command> commands = [] {
        std::vector<Command> all = {
            images_command(),    image_inspect_command(), inspect_command(),     history_command(),
            tag_command(),       rmi_command(),           image_prune_command(), load_command(),
            save_command(),      import_command(),        version_command(),     info_command(),
            system_df_command(), events_command(),        pull_command(),        push_command(),
            login_command(),     logout_command(),
        };
        for (auto& c : container_commands()) all.push_back(std::move(c));
        for (auto& c : network_commands()) all.push_back(std::move(c));
        return all;
    }();
    return commands;
}

}  // namespace berth::cli

// berth image prune: POST /images/prune after asking, as docker does.
#include <unistd.h>

#include "cli/berth/command.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

Result<void> run_prune(Session& session, const ParsedFlags& flags) {
    bool all = flags.enabled("all");
    if (!flags.enabled("force")) {
        std::string_view warning = all ? "WARNING! This will remove all images without at least one container associated to them."
                                       : "WARNING! This will remove all dangling images.";
        if (!session.confirmed(warning)) return {};
    }
    auto filters = flags.list("filter");
    filters.push_back(all ? "dangling=false" : "dangling=true");
    QueryParams query;
    add_filters_param(query, filters);
    ApiClient* api = BERTH_TRY(session.api());
    Json report = BERTH_TRY(api->call_json("POST", "/images/prune", query));
    std::string out;
    if (auto deleted = report.find("ImagesDeleted"); deleted != report.end() && deleted->is_array() && !deleted->empty()) {
        out = "Deleted Images:\n";
        for (const auto& item : *deleted) {
            std::string untagged = item.value("Untagged", "");
            out += untagged.empty() ? "deleted: " + item.value("Deleted", "") + "\n" : "untagged: " + untagged + "\n";
        }
        out += "\n";
    }
    auto reclaimed = report.value("SpaceReclaimed", std::int64_t{0});
    return session.out(out + "Total reclaimed space: " + human_size(static_cast<double>(reclaimed)) + "\n");
}

}  // namespace

Command image_prune_command() {
    return {
        .path = "image prune",
        .usage = "[OPTIONS]",
        .description = "Remove unused images",
        .flags = [] {
            auto flags = prune_flags();
            flags.insert(flags.begin(), {.long_name = "all", .short_name = 'a',
                                         .help = "Remove all unused images, not just dangling ones"});
            return flags;
        }(),
        .max_args = 0,
        .check = prune_check,
        .run = run_prune,
    };
}

}  // namespace berth::cli

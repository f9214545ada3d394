// berth system df: GET /system/df as docker's summary table, or with -v the images,
// containers and volumes one by one.
#include "cli/berth/command.hpp"
#include "cli/berth/disk_usage.hpp"
#include "cli/berth/image_rows.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/format/formatter.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

Result<std::string> verbose_images(const Json& df) {
    auto rows = image_rows(df.value("Images", Json::array()), {.now = unix_now()});
    return format_rows("", "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.VirtualSize}}\t"
                           "{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
                       {{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"},
                        {"VirtualSize", "SIZE"}, {"SharedSize", "SHARED SIZE"}, {"UniqueSize", "UNIQUE SIZE"},
                        {"Containers", "CONTAINERS"}},
                       rows);
}

Result<std::string> verbose_containers(const Json& df) {
    std::vector<Json> rows;
    for (const auto& c : df.value("Containers", Json::array())) {
        std::string name;
        if (auto names = c.value("Names", Json::array()); !names.empty() && names[0].is_string()) name = names[0];
        if (name.starts_with("/")) name.erase(0, 1);
        rows.push_back({{"ID", c.value("Id", "").substr(0, 12)},
                        {"Image", c.value("Image", "")},
                        {"Command", "\"" + c.value("Command", "") + "\""},
                        {"LocalVolumes", std::to_string(c.value("Mounts", Json::array()).size())},
                        {"Size", human_size(c.value("SizeRw", 0.0))},
                        {"CreatedSince", created_since(c.value("Created", std::int64_t{0}), unix_now())},
                        {"Status", c.value("Status", "")},
                        {"Names", name}});
    }
    return format_rows("", "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.CreatedSince}}\t{{.Status}}\t{{.Names}}",
                       {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Command", "COMMAND"}, {"LocalVolumes", "LOCAL VOLUMES"},
                        {"Size", "SIZE"}, {"CreatedSince", "CREATED"}, {"Status", "STATUS"}, {"Names", "NAMES"}},
                       rows);
}

Result<std::string> verbose_volumes(const Json& df) {
    std::vector<Json> rows;
    for (const auto& v : df.value("Volumes", Json::array())) {
        Json usage = v.value("UsageData", Json::object());
        std::int64_t size = usage.value("Size", std::int64_t{-1});
        rows.push_back({{"Name", v.value("Name", "")},
                        {"Links", std::to_string(usage.value("RefCount", std::int64_t{0}))},
                        {"Size", size == -1 ? "N/A" : human_size(static_cast<double>(size))}});
    }
    return format_rows("", "table {{.Name}}\t{{.Links}}\t{{.Size}}",
                       {{"Name", "VOLUME NAME"}, {"Links", "LINKS"}, {"Size", "SIZE"}}, rows);
}

Result<void> run_df(Session& session, const ParsedFlags& flags) {
    ApiClient* api = BERTH_TRY(session.api());
    Json df = BERTH_TRY(api->get_json("/system/df"));
    if (!flags.enabled("verbose") || flags.has("format")) {
        return print_rows(session, flags, "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                          {{"Type", "TYPE"}, {"TotalCount", "TOTAL"}, {"Active", "ACTIVE"}, {"Size", "SIZE"},
                           {"Reclaimable", "RECLAIMABLE"}},
                          disk_usage_rows(df));
    }
    std::string out = "Images space usage:\n\n" + BERTH_TRY(verbose_images(df)) + "\nContainers space usage:\n\n" +
                      BERTH_TRY(verbose_containers(df)) + "\nLocal Volumes space usage:\n\n" +
                      BERTH_TRY(verbose_volumes(df)) + "\nBuild cache usage: " +
                      disk_usage_rows(df)[3]["Size"].get<std::string>() + "\n";
    return session.out(out);
}

}  // namespace

Command system_df_command() {
    return {
        .path = "system df",
        .usage = "[OPTIONS]",
        .description = "Show berth disk usage",
        .flags =
            {
                format_flag("Pretty-print images using a Go template"),
                {.long_name = "verbose", .short_name = 'v', .help = "Show detailed information on space usage"},
            },
        .max_args = 0,
        .run = run_df,
    };
}

}  // namespace berth::cli

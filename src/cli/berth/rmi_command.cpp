// berth rmi / image rm: DELETE /images/{name} for each name, going on after a
// failure and failing at the end, as docker does.
#include "cli/berth/command.hpp"

namespace berth::cli {
namespace {

// "Untagged: busybox:latest" / "Deleted: sha256:..." lines of a DELETE answer.
std::string removal_lines(const Json& items) {
    std::string out;
    if (!items.is_array()) return out;
    for (const auto& item : items) {
        if (!item.is_object()) continue;
        if (auto u = item.find("Untagged"); u != item.end() && u->is_string() && !u->get<std::string>().empty())
            out += "Untagged: " + u->get<std::string>() + "\n";
        if (auto d = item.find("Deleted"); d != item.end() && d->is_string() && !d->get<std::string>().empty())
            out += "Deleted: " + d->get<std::string>() + "\n";
    }
    return out;
}

Result<void> run_rmi(Session& session, const ParsedFlags& flags) {
    ApiClient* api = BERTH_TRY(session.api());
    QueryParams query;
    if (flags.enabled("force")) query.emplace_back("force", "1");
    if (flags.enabled("no-prune")) query.emplace_back("noprune", "1");
    std::string errors;
    for (const auto& name : flags.args) {
        auto items = api->call_json("DELETE", "/images/" + path_escape(name), query);
        if (items) {
            BERTH_TRYV(session.out(removal_lines(*items)));
            continue;
        }
        // docker's client words a 404 on an image as "Error: No such image: <name>".
        std::string message = items.error().kind == ErrorKind::not_found ? "Error: No such image: " + name
                                                                         : items.error().message;
        errors += (errors.empty() ? "" : "\n") + message;
    }
    if (!errors.empty()) return fail(errors);
    return {};
}

}  // namespace

Command rmi_command() {
    return {
        .path = "image rm",
        .aliases = {"image rmi", "image remove", "rmi"},
        .usage = "[OPTIONS] IMAGE [IMAGE...]",
        .description = "Remove one or more images",
        .flags =
            {
                {.long_name = "force", .short_name = 'f', .help = "Force removal of the image"},
                {.long_name = "no-prune", .help = "Do not delete untagged parents"},
            },
        .min_args = 1,
        .run = run_rmi,
    };
}

}  // namespace berth::cli

// berth version: the CLI's own version and GET /version, laid out as docker's.
#include "cli/berth/command.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/format/tabwriter.hpp"
#include "image/platform.hpp"

namespace berth::cli {
namespace {

Json client_version() {
    const auto& host = image::host_platform();
    return {{"Version", BERTH_VERSION}, {"APIVersion", kApiVersion},     {"DefaultAPIVersion", kApiVersion},
            {"Os", host.os},            {"Arch", host.architecture}, {"Experimental", false}};
}

// The server's /version with the field names docker's templates use (.APIVersion).
Json server_version(Json server) {
    if (server.contains("ApiVersion")) {
        server["APIVersion"] = server["ApiVersion"];
        server.erase("ApiVersion");
    }
    return server;
}

std::string text_of(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump();
}

std::string client_section(const Json& client) {
    return "Client:\n Version:\t" + text_of(client["Version"]) + "\n API version:\t" + text_of(client["APIVersion"]) +
           "\n OS/Arch:\t" + text_of(client["Os"]) + "/" + text_of(client["Arch"]) + "\n";
}

std::string engine_lines(const Json& details, const Json& server) {
    auto detail = [&](const char* key) { return text_of(details.value(key, Json(""))); };
    std::string out = "  API version:\t" + detail("ApiVersion") + " (minimum version " + detail("MinAPIVersion") + ")\n";
    for (auto [label, key] : {std::pair{"Go version", "GoVersion"}, {"Git commit", "GitCommit"}, {"Built", "BuildTime"}})
        if (details.contains(key)) out += "  " + std::string(label) + ":\t" + detail(key) + "\n";
    out += "  OS/Arch:\t" + detail("Os") + "/" + detail("Arch") + "\n";
    out += "  Experimental:\t" + text_of(details.value("Experimental", server.value("Experimental", Json(false)))) + "\n";
    return out;
}

std::string server_section(const Json& server) {
    std::string out = "\nServer:\n";
    Json components = server.value("Components", Json::array());
    if (components.empty()) {
        // A daemon that lists no components: its top-level fields are the engine's.
        Json details = server;
        details["ApiVersion"] = server.value("APIVersion", Json(""));
        components = Json::array({{{"Name", "Engine"}, {"Version", server.value("Version", Json(""))}, {"Details", details}}});
    }
    for (const auto& c : components) {
        std::string name = c.value("Name", "");
        Json details = c.value("Details", Json::object());
        out += " " + name + ":\n  Version:\t" + text_of(c.value("Version", Json(""))) + "\n";
        if (name == "Engine") {
            out += engine_lines(details, server);
            continue;
        }
        for (const auto& [key, value] : details.items()) out += "  " + key + ":\t" + text_of(value) + "\n";
    }
    return out;
}

Result<void> run_version(Session& session, const ParsedFlags& flags) {
    Json data = {{"Client", client_version()}};
    auto api = session.api();
    Result<Json> server = api ? (*api)->get_json("/version") : std::unexpected(std::move(api.error()));
    if (server) data["Server"] = server_version(std::move(*server));
    if (flags.has("format")) {
        BERTH_TRYV(print_formatted(session, flags.value("format"), data));
    } else {
        std::string text = client_section(data["Client"]);
        if (server) text += server_section(data["Server"]);
        // docker's version template goes through a tabwriter (min width 20, padding 1).
        BERTH_TRYV(session.out(tabwrite(text, 20, 1)));
    }
    if (!server) return std::unexpected(std::move(server.error()));
    return {};
}

}  // namespace

Command version_command() {
    return {
        .path = "version",
        .usage = "[OPTIONS]",
        .description = "Show the berth version information",
        .flags = {format_flag("Format the output using the given Go template", 'f')},
        .max_args = 0,
        .run = run_version,
    };
}

}  // namespace berth::cli

// berth image inspect / network inspect / berth inspect: the daemon's JSON for each name, printed as
// one indented array or through a --format template.
#include <array>

#include "cli/berth/command.hpp"
#include "cli/berth/list_output.hpp"

namespace berth::cli {
namespace {

struct ObjectType {
    std::string_view name;    // --type value
    std::string_view prefix;  // "/images/"
    std::string_view suffix;  // "/json"
};

// The kinds `berth inspect` looks through, in docker's order.
constexpr std::array<ObjectType, 4> kTypes = {{
    {"container", "/containers/", "/json"},
    {"image", "/images/", "/json"},
    {"network", "/networks/", ""},
    {"volume", "/volumes/", ""},
}};

// The object's JSON as the daemon wrote it, or nullopt when the daemon has no such
// object of this type (404).
Result<std::optional<std::string>> fetch(ApiClient& api, const ObjectType& type, const std::string& name, bool size) {
    QueryParams query;
    if (size && type.name == "container") query.emplace_back("size", "1");
    auto resp = api.call("GET", std::string(type.prefix) + path_escape(name) + std::string(type.suffix), query);
    if (!resp) {
        if (resp.error().kind == ErrorKind::not_found) return std::optional<std::string>();
        return std::unexpected(std::move(resp.error()));
    }
    return std::optional<std::string>(BERTH_TRY(resp->read_body()));
}

// Prints the found objects as docker does: the template once per object, or the
// array indented by four spaces (the daemon's key order kept).
Result<void> print_objects(Session& session, const std::vector<std::string>& bodies, const std::string& format) {
    if (format.empty()) {
        nlohmann::ordered_json array = nlohmann::ordered_json::array();
        for (const auto& body : bodies) {
            try {
                array.push_back(nlohmann::ordered_json::parse(body));
            } catch (const nlohmann::json::exception& e) {
                return fail(std::string("daemon sent an object that is not JSON: ") + e.what());
            }
        }
        return session.out(array.dump(4) + "\n");
    }
    Template tmpl = BERTH_TRY(parse_format(format));
    for (const auto& body : bodies) {
        Json data = BERTH_TRY(parse_json(body, "daemon's answer"));
        BERTH_TRYV(session.out(BERTH_TRY(tmpl.render(data)) + "\n"));
    }
    return {};
}

Result<void> inspect_names(Session& session, const ParsedFlags& flags, std::span<const ObjectType> types,
                           std::string_view missing_word) {
    ApiClient* api = BERTH_TRY(session.api());
    std::vector<std::string> found;
    std::vector<std::string> errors;
    for (const auto& name : flags.args) {
        std::optional<std::string> body;
        for (const auto& type : types) {
            body = BERTH_TRY(fetch(*api, type, name, flags.enabled("size")));
            if (body) break;
        }
        if (body) found.push_back(std::move(*body));
        else errors.push_back("Error: No such " + std::string(missing_word) + ": " + name);
    }
    BERTH_TRYV(print_objects(session, found, flags.value("format")));
    if (!errors.empty()) {
        std::string all;
        for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
        return fail(all);
    }
    return {};
}

const ObjectType& image_type() { return kTypes[1]; }

}  // namespace

Command image_inspect_command() {
    return {
        .path = "image inspect",
        .usage = "[OPTIONS] IMAGE [IMAGE...]",
        .description = "Display detailed information on one or more images",
        .flags = {format_flag("Format the output using the given Go template", 'f')},
        .min_args = 1,
        .run = [](Session& s, const ParsedFlags& f) { return inspect_names(s, f, {&image_type(), 1}, "image"); },
    };
}

Command network_inspect_command() {
    return {
        .path = "network inspect",
        .usage = "[OPTIONS] NETWORK [NETWORK...]",
        .description = "Display detailed information on one or more networks",
        .flags =
            {
                format_flag("Format the output using the given Go template", 'f'),
                // Swarm's services are all it adds; a local network shows the same.
                {.long_name = "verbose", .short_name = 'v', .help = "Verbose output for diagnostics"},
            },
        .min_args = 1,
        .run = [](Session& s, const ParsedFlags& f) { return inspect_names(s, f, {&kTypes[2], 1}, "network"); },
    };
}

Command container_inspect_command() {
    return {
        .path = "container inspect",
        .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        .description = "Display detailed information on one or more containers",
        .flags =
            {
                format_flag("Format the output using the given Go template", 'f'),
                {.long_name = "size", .short_name = 's', .help = "Display total file sizes"},
            },
        .min_args = 1,
        .run =
            [](Session& s, const ParsedFlags& f) {
                return inspect_names(s, f, {&kTypes[0], 1}, "container");
            },
    };
}

Command inspect_command() {
    return {
        .path = "inspect",
        .usage = "[OPTIONS] NAME|ID [NAME|ID...]",
        .description = "Return low-level information on berth objects",
        .flags =
            {
                format_flag("Format the output using the given Go template", 'f'),
                {.long_name = "size", .short_name = 's', .help = "Display total file sizes if the type is container"},
                {.long_name = "type", .kind = FlagDef::String, .help = "Return JSON for specified type"},
            },
        .min_args = 1,
        .check =
            [](const ParsedFlags& f) -> Result<void> {
            std::string type = f.value("type");
            if (type.empty()) return {};
            for (const auto& t : kTypes)
                if (t.name == type) return {};
            return fail("\"" + type + "\" is not a valid value for --type");
        },
        .run =
            [](Session& s, const ParsedFlags& f) {
                std::string type = f.value("type");
                for (const auto& t : kTypes)
                    if (t.name == type) return inspect_names(s, f, {&t, 1}, t.name);
                return inspect_names(s, f, kTypes, "object");
            },
    };
}

}  // namespace berth::cli

// berth import: a root filesystem tarball (file, URL or stdin) to
// POST /images/create?fromSrc=..., printing the new image's ID.
#include <fcntl.h>

#include "base/file.hpp"
#include "cli/berth/command.hpp"
#include "cli/berth/message_stream.hpp"
#include "image/reference.hpp"

namespace berth::cli {
namespace {

bool is_url(std::string_view source) { return source.starts_with("http://") || source.starts_with("https://"); }

Result<void> run_import(Session& session, const ParsedFlags& flags) {
    const std::string& source = flags.args[0];
    std::string repo = flags.args.size() > 1 ? flags.args[1] : "";
    if (!repo.empty()) BERTH_TRYV(image::parse_reference(repo));
    QueryParams query = {{"fromSrc", is_url(source) ? source : "-"}, {"repo", repo}, {"tag", ""},
                         {"message", flags.value("message")}};
    if (flags.has("platform")) {
        std::string platform = flags.value("platform");
        for (char& c : platform) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        query.emplace_back("platform", platform);
    }
    for (const auto& change : flags.list("change")) query.emplace_back("changes", change);
    ApiClient* api = BERTH_TRY(session.api());
    UniqueFd file;
    int in = session.io().in;
    if (!is_url(source) && source != "-") {
        file = BERTH_TRY(open_fd(source, O_RDONLY | O_CLOEXEC));
        in = file.get();
    }
    StringReader nothing("");
    FdReader tarball(in);
    ByteReader& body = is_url(source) ? static_cast<ByteReader&>(nothing) : tarball;
    auto resp = BERTH_TRY(api->call_streamed("POST", "/images/create", query, body, {{"Content-Type", "application/x-tar"}}));
    FdWriter out(session.io().out);
    return display_messages(resp.body(), out);
}

}  // namespace

Command import_command() {
    return {
        .path = "image import",
        .aliases = {"import"},
        .usage = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
        .description = "Import the contents from a tarball to create a filesystem image",
        .flags =
            {
                {.long_name = "change", .short_name = 'c', .kind = FlagDef::StringList, .help = "Apply Dockerfile instruction to the created image"},
                {.long_name = "message", .short_name = 'm', .kind = FlagDef::String, .help = "Set commit message for imported image"},
                {.long_name = "platform", .kind = FlagDef::String, .help = "Set platform if server is multi-platform capable"},
            },
        .min_args = 1,
        .max_args = 2,
        .run = run_import,
    };
}

}  // namespace berth::cli

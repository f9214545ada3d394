// berth save: GET /images/get streamed into a file (written beside it, then
// renamed, so a failed save leaves no partial archive) or a redirected stdout.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/scope_exit.hpp"
#include "cli/berth/command.hpp"

namespace berth::cli {
namespace {

Result<void> save_to_file(ByteReader& body, const std::string& path) {
    std::string tmp = path + ".berth-save-" + std::to_string(::getpid());
    // 0600 as docker's atomic writer creates it: an archive may hold secrets.
    UniqueFd fd = BERTH_TRY(open_fd(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    bool done = false;
    ScopeExit remove_tmp([&] {
        if (!done) ::unlink(tmp.c_str());
    });
    FdWriter out(fd.get());
    BERTH_TRYV_CTX(copy_stream(body, out), "write " + path);
    if (::fsync(fd.get()) != 0) return sys_fail("fsync " + tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_fail("rename " + tmp + " to " + path);
    done = true;
    return {};
}

Result<void> run_save(Session& session, const ParsedFlags& flags) {
    std::string output = flags.value("output");
    if (output.empty() && ::isatty(session.io().out))
        return fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    QueryParams query;
    for (const auto& name : flags.args) query.emplace_back("names", name);
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("GET", "/images/get", query));
    if (!output.empty()) return save_to_file(resp.body(), output);
    FdWriter out(session.io().out);
    BERTH_TRYV(copy_stream(resp.body(), out));
    return {};
}

}  // namespace

Command save_command() {
    return {
        .path = "image save",
        .aliases = {"save"},
        .usage = "[OPTIONS] IMAGE [IMAGE...]",
        .description = "Save one or more images to a tar archive (streamed to STDOUT by default)",
        .flags = {{.long_name = "output", .short_name = 'o', .kind = FlagDef::String, .help = "Write to a file, instead of STDOUT"}},
        .min_args = 1,
        .run = run_save,
    };
}

}  // namespace berth::cli

// create, run, start, state, list, kill, delete, pause, resume.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/passwd.hpp"
#include "base/strings.hpp"
#include "base/unix_socket.hpp"
#include "cli/runtime/args.hpp"
#include "cli/runtime/commands.hpp"
#include "cli/runtime/foreground.hpp"
#include "cli/runtime/table.hpp"
#include "runtime/container.hpp"
#include "runtime/signals.hpp"
#include "runtime/state.hpp"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kCreateFlags = {
    {"bundle", "b", true},   {"console-socket", "", true},  {"pid-file", "", true},
    {"no-pivot", "", false}, {"no-new-keyring", "", false}, {"preserve-fds", "", true},
    {"detach", "d", false},  {"keep", "", false},
};

Result<int> preserve_fds(const Args& a) {
    if (!a.has("preserve-fds")) return 0;
    auto n = parse_int(a.get("preserve-fds"));
    if (!n || *n < 0 || *n > 65536)
        return fail("--preserve-fds: not a count: " + a.get("preserve-fds"));
    return static_cast<int>(*n);
}

// Options common to create and run; connects to --console-socket if given.
Result<runtime::CreateOptions> create_options(const Args& a, const char* command,
                                              UniqueFd* console) {
    runtime::CreateOptions o;
    o.id = BERTH_TRY(one_id(a.positional(), command));
    o.bundle = a.get("bundle", ".");
    o.pid_file = a.get("pid-file");
    o.no_pivot = a.has("no-pivot");
    o.new_keyring = !a.has("no-new-keyring");
    o.preserve_fds = BERTH_TRY(preserve_fds(a));
    if (a.has("console-socket")) {
        *console =
            BERTH_TRY(with_context(connect_unix(a.get("console-socket")), "--console-socket"));
        o.console_fd = console->get();
    }
    return o;
}

}  // namespace

Result<std::string> one_id(const std::vector<std::string>& positional, const char* command) {
    if (positional.size() != 1)
        return fail(std::string("\"") + command +
                    "\" requires exactly 1 argument (the container id)");
    return positional[0];
}

Result<int> cmd_create(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, kCreateFlags, false));
    UniqueFd console;
    auto o = BERTH_TRY(create_options(a, "create", &console));
    BERTH_TRYV(runtime::create_container(g.root, o));
    return 0;
}

Result<int> cmd_run(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, kCreateFlags, false));
    UniqueFd console;
    auto o = BERTH_TRY(create_options(a, "run", &console));
    bool detach = a.has("detach");
    LocalConsole local;
    if (!detach && !a.has("console-socket")) {
        // A foreground terminal is ours to proxy; the init sends us the master.
        local = BERTH_TRY(make_local_console());
        o.console_fd = local.theirs.get();
    }
    if (!detach) block_forwarded_signals();
    pid_t pid = BERTH_TRY(runtime::create_container(g.root, o));
    local.theirs.reset();
    if (auto r = runtime::start_container(g.root, o.id); !r) {
        (void)runtime::delete_container(g.root, o.id, true);
        return std::unexpected(std::move(r.error()));
    }
    if (detach) return 0;
    // Without a pid namespace the init's children outlive it: end them with it.
    auto code = wait_foreground(pid, local.ours.get(), [&] {
        (void)runtime::kill_container(g.root, o.id, SIGKILL, /*all=*/true);
    });
    if (!a.has("keep")) (void)runtime::delete_container(g.root, o.id, true);
    return code;
}

Result<int> cmd_start(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, {}, false));
    BERTH_TRYV(runtime::start_container(g.root, BERTH_TRY(one_id(a.positional(), "start"))));
    return 0;
}

Result<int> cmd_state(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, {}, false));
    auto j =
        BERTH_TRY(runtime::container_state(g.root, BERTH_TRY(one_id(a.positional(), "state"))));
    std::cout << j.dump(2) << "\n";
    return 0;
}

static std::string owner_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    if (auto entry = lookup_uid("/etc/passwd", st.st_uid)) return entry->name;
    return "#" + std::to_string(st.st_uid);
}

Result<int> cmd_list(const Globals& g, const Argv& argv, size_t begin) {
    auto a =
        BERTH_TRY(Args::parse(argv, begin, {{"format", "f", true}, {"quiet", "q", false}}, false));
    std::string format = a.get("format", "table");
    if (format != "table" && format != "json") return fail("invalid format option: " + format);
    Json all = Json::array();
    Table table({"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
    for (auto& id : BERTH_TRY(runtime::list_container_ids(g.root))) {
        auto st = runtime::load_state(g.root, id);
        if (!st) continue;  // removed while we looked
        auto status = runtime::current_status(g.root, *st);
        Json j = runtime::state_json(*st, status);
        j["owner"] = owner_of(g.root + "/" + id);
        if (a.has("quiet")) {
            std::cout << id << "\n";
            continue;
        }
        table.add({id, std::to_string(j["pid"].get<int>()), runtime::status_name(status),
                   st->bundle, st->created, j["owner"].get<std::string>()});
        all.push_back(j);
    }
    if (a.has("quiet")) return 0;
    if (format == "json")
        std::cout << (all.empty() ? "null" : all.dump()) << "\n";
    else
        std::cout << table.render();
    return 0;
}

Result<int> cmd_kill(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, {{"all", "a", false}}, false));
    auto& pos = a.positional();
    if (pos.empty() || pos.size() > 2)
        return fail("\"kill\" requires 1 or 2 arguments: <container-id> [signal]");
    int sig = SIGTERM;
    if (pos.size() == 2) {
        auto s = runtime::parse_signal(pos[1]);
        if (!s) return fail("unknown signal \"" + pos[1] + "\"");
        sig = *s;
    }
    BERTH_TRYV(runtime::kill_container(g.root, pos[0], sig, a.has("all")));
    return 0;
}

Result<int> cmd_delete(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, {{"force", "f", false}}, false));
    BERTH_TRYV(runtime::delete_container(g.root, BERTH_TRY(one_id(a.positional(), "delete")),
                                         a.has("force")));
    return 0;
}

Result<int> cmd_pause(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, {}, false));
    BERTH_TRYV(runtime::pause_container(g.root, BERTH_TRY(one_id(a.positional(), "pause"))));
    return 0;
}

Result<int> cmd_resume(const Globals& g, const Argv& argv, size_t begin) {
    auto a = BERTH_TRY(Args::parse(argv, begin, {}, false));
    BERTH_TRYV(runtime::resume_container(g.root, BERTH_TRY(one_id(a.positional(), "resume"))));
    return 0;
}

}  // namespace berth::cli

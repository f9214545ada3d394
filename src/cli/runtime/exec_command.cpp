// exec and ps.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "base/unix_socket.hpp"
#include "cli/runtime/args.hpp"
#include "cli/runtime/commands.hpp"
#include "cli/runtime/foreground.hpp"
#include "oci/config_parse.hpp"
#include "runtime/container.hpp"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kExecFlags = {
    {"console-socket", "", true}, {"cwd", "", true},          {"env", "e", true},
    {"tty", "t", false},          {"user", "u", true},        {"additional-gids", "g", true},
    {"process", "p", true},       {"detach", "d", false},     {"pid-file", "", true},
    {"process-label", "", true},  {"apparmor", "", true},     {"no-new-privs", "", false},
    {"cap", "c", true},           {"preserve-fds", "", true}, {"cgroup", "", true},
    {"ignore-paused", "", false},
};

Result<uint32_t> parse_id(const std::string& s, const char* what) {
    auto n = parse_int(s);
    if (!n || *n < 0 || *n > 0xffffffffLL) return fail(std::string(what) + ": not a number: " + s);
    return static_cast<uint32_t>(*n);
}

// runc's exec: the container's process, overridden by the flags.
Result<oci::Process> process_from_flags(const Args& a, const std::vector<std::string>& args,
                                        const oci::Config& config) {
    oci::Process p = config.process ? *config.process : oci::Process{};
    if (args.empty())
        return fail("exec: no command given: berth-runtime exec <id> <command> [args...]");
    p.args = args;
    p.terminal = a.has("tty");
    p.console_size.reset();
    if (a.has("cwd")) p.cwd = a.get("cwd");
    for (auto& e : a.all("env")) p.env.push_back(e);
    if (a.has("user")) {
        auto parts = split(a.get("user"), ':');
        p.user.uid = BERTH_TRY(parse_id(parts[0], "--user"));
        if (parts.size() > 1) p.user.gid = BERTH_TRY(parse_id(parts[1], "--user"));
    }
    for (auto& g : a.all("additional-gids"))
        p.user.additional_gids.push_back(BERTH_TRY(parse_id(g, "--additional-gids")));
    if (a.has("no-new-privs")) p.no_new_privileges = true;
    if (a.has("apparmor")) p.apparmor_profile = a.get("apparmor");
    if (a.has("process-label")) p.selinux_label = a.get("process-label");
    if (!a.all("cap").empty()) {
        if (!p.capabilities) p.capabilities = oci::Capabilities{};
        for (auto& c : a.all("cap")) {
            for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective,
                              &p.capabilities->permitted, &p.capabilities->inheritable})
                set->push_back(c);
        }
    }
    return p;
}

Result<oci::Process> process_from_file(const std::string& path) {
    auto text = BERTH_TRY(with_context(read_file(path), "--process"));
    auto j = BERTH_TRY(parse_json(text, path));
    return with_context(oci::parse_process(j), path);
}

}  // namespace

Result<int> cmd_exec(const Globals& g, const Argv& argv, size_t begin) {
    // As with runc (Go's flag package), flags end at the container id: in
    // "exec -t id ls -l", -l belongs to ls.
    size_t consumed = 0;
    auto a = BERTH_TRY(Args::parse(argv, begin, kExecFlags, true, &consumed));
    if (a.positional().empty())
        return fail("\"exec\" requires at least 1 argument (the container id)");
    std::string id = a.positional()[0];
    // "exec -- id cmd": everything after "--" came back as positionals.
    std::vector<std::string> command(a.positional().begin() + 1, a.positional().end());
    command.insert(command.end(), argv.begin() + static_cast<long>(consumed), argv.end());
    if (!command.empty() && command[0] == "--") command.erase(command.begin());

    runtime::ExecOptions o;
    auto config = BERTH_TRY(runtime::container_config(g.root, id));
    if (a.has("process"))
        o.process = BERTH_TRY(process_from_file(a.get("process")));
    else
        o.process = BERTH_TRY(process_from_flags(a, command, config));
    const bool detach = a.has("detach");
    o.ignore_paused = a.has("ignore-paused");
    o.pid_file = a.get("pid-file");
    if (a.has("preserve-fds")) {
        auto n = parse_int(a.get("preserve-fds"));
        if (!n || *n < 0) return fail("--preserve-fds: not a count");
        o.preserve_fds = static_cast<int>(*n);
    }
    UniqueFd console;
    LocalConsole local;
    if (a.has("console-socket")) {
        console =
            BERTH_TRY(with_context(connect_unix(a.get("console-socket")), "--console-socket"));
        o.console_fd = console.get();
    } else if (o.process.terminal && !detach) {
        local = BERTH_TRY(make_local_console());
        o.console_fd = local.theirs.get();
    }
    if (!detach) block_forwarded_signals();
    auto pid = runtime::exec_in_container(g.root, id, o);
    if (!pid) {
        // runc's code for "the runtime could not start it", distinct from any
        // code the process itself could exit with.
        log::error("exec failed: " + pid.error().message);
        return 255;
    }
    local.theirs.reset();
    if (detach) return 0;
    return wait_foreground(*pid, o.process.terminal ? local.ours.get() : -1);
}

Result<int> cmd_ps(const Globals& g, const Argv& argv, size_t begin) {
    size_t consumed = 0;
    auto a = BERTH_TRY(Args::parse(argv, begin, {{"format", "f", true}}, true, &consumed));
    if (a.positional().empty())
        return fail("\"ps\" requires at least 1 argument (the container id)");
    std::vector<std::string> ps_args(argv.begin() + static_cast<long>(consumed), argv.end());
    if (!ps_args.empty() && ps_args[0] == "--") ps_args.erase(ps_args.begin());
    auto pids = BERTH_TRY(runtime::container_processes(g.root, a.positional()[0]));
    std::string format = a.get("format", "table");
    if (format == "json") {
        std::cout << Json(pids).dump() << "\n";
        return 0;
    }
    if (format != "table") return fail("invalid format option: " + format);
    if (ps_args.empty()) ps_args = {"-ef"};
    std::string cmd = "ps";
    for (auto& p : ps_args) {
        std::string quoted;
        for (char ch : p) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
        cmd += " '" + quoted + "'";
    }
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return sys_fail("run ps");
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
    int status = ::pclose(f);
    if (status != 0) return fail("ps " + join(ps_args, " ") + " failed: " + out);
    auto lines = split(out, '\n');
    if (lines.empty()) return fail("ps printed nothing");
    // Keep the header and the lines whose PID column is one of the container's.
    auto header = split(std::string(trim(lines[0])), ' ');
    std::vector<std::string> cols;
    for (auto& h : header)
        if (!h.empty()) cols.push_back(h);
    auto pid_col = std::find(cols.begin(), cols.end(), "PID");
    if (pid_col == cols.end()) return fail("ps output has no PID column");
    size_t idx = static_cast<size_t>(pid_col - cols.begin());
    std::cout << lines[0] << "\n";
    for (size_t i = 1; i < lines.size(); ++i) {
        std::vector<std::string> fields;
        for (auto& f2 : split(std::string(trim(lines[i])), ' '))
            if (!f2.empty()) fields.push_back(f2);
        if (fields.size() <= idx) continue;
        auto pid = parse_int(fields[idx]);
        if (pid && std::find(pids.begin(), pids.end(), static_cast<pid_t>(*pid)) != pids.end())
            std::cout << lines[i] << "\n";
    }
    return 0;
}

}  // namespace berth::cli

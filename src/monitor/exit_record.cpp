#include "monitor/exit_record.hpp"

#include <sys/wait.h>

#include <sstream>

#include "base/file.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/state.hpp"

namespace berth::monitor {

ExitStatus exit_status_from_wait(int wstatus) {
    ExitStatus s;
    if (WIFSIGNALED(wstatus)) {
        s.signal = WTERMSIG(wstatus);
        s.exit_code = 128 + s.signal;
    } else {
        s.exit_code = WEXITSTATUS(wstatus);
    }
    return s;
}

Json exit_status_json(const ExitStatus& s) {
    return Json{{"exit_code", s.exit_code},
                {"signal", s.signal},
                {"oom_killed", s.oom_killed},
                {"finished_at", s.finished_at}};
}

Result<ExitStatus> parse_exit_status(const Json& j) {
    try {
        ExitStatus s;
        s.exit_code = j.at("exit_code").get<int>();
        s.signal = j.value("signal", 0);
        s.oom_killed = j.value("oom_killed", false);
        s.finished_at = j.value("finished_at", "");
        return s;
    } catch (const Json::exception& e) {
        return fail(std::string("exit.json: ") + e.what());
    }
}

namespace {

// The value of `key` in a "key value" per line file, nullopt if absent.
std::optional<long long> keyed_value(const std::string& path, const std::string& key) {
    auto text = read_file(path);
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    std::string k;
    long long v;
    while (in >> k >> v)
        if (k == key) return v;
    return std::nullopt;
}

}  // namespace

bool cgroup_saw_oom_kill(const std::string& runtime_root, const std::string& id) {
    auto st = runtime::load_state(runtime_root, id);
    if (!st) return false;
    auto cg = runtime::open_cgroup(st->cgroups_path, id);
    if (!cg) return false;
    std::optional<long long> kills;
    if ((*cg)->version() == runtime::CgroupVersion::v2)
        kills = keyed_value(path_join((*cg)->path(), "memory.events"), "oom_kill");
    else
        kills = keyed_value(path_join((*cg)->path("memory"), "memory.oom_control"), "oom_kill");
    return kills.value_or(0) > 0;
}

}  // namespace berth::monitor

#include "runtime/state.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/file.hpp"
#include "oci/config_parse.hpp"
#include "runtime/cgroup.hpp"

namespace berth::runtime {

const char* status_name(Status s) {
    switch (s) {
        case Status::creating:
            return "creating";
        case Status::created:
            return "created";
        case Status::running:
            return "running";
        case Status::paused:
            return "paused";
        case Status::stopped:
            return "stopped";
    }
    return "unknown";
}

StateDir::StateDir(std::string root, std::string id) : dir_(path_join(root, id)) {}
std::string StateDir::state_file() const {
    return dir_ + "/state.json";
}
std::string StateDir::config_file() const {
    return dir_ + "/config.json";
}
std::string StateDir::exec_fifo() const {
    return dir_ + "/exec.fifo";
}

Result<void> claim_state_dir(const std::string& root, const std::string& id) {
    BERTH_TRYV_CTX(mkdir_p(root, 0700), "runtime root");
    std::string dir = path_join(root, id);
    if (::mkdir(dir.c_str(), 0711) != 0) {
        if (errno == EEXIST) return fail("container with id \"" + id + "\" already exists");
        return sys_fail("mkdir " + dir);
    }
    return {};
}

Result<void> remove_state_dir(const std::string& root, const std::string& id) {
    std::error_code ec;
    std::filesystem::remove_all(path_join(root, id), ec);
    if (ec) return fail("remove state of " + id + ": " + ec.message());
    return {};
}

Result<void> save_state(const std::string& root, const ContainerState& s) {
    Json j = {{"id", s.id},
              {"bundle", s.bundle},
              {"rootfs", s.rootfs},
              {"pid", s.pid},
              {"pidStartTime", s.pid_start_time},
              {"created", s.created},
              {"owner", s.owner},
              {"annotations", s.annotations},
              {"cgroupsPath", s.cgroups_path}};
    return write_file_atomic(StateDir(root, s.id).state_file(), j.dump(), 0600,
                             Durability::until_reboot);
}

Result<ContainerState> load_state(const std::string& root, const std::string& id) {
    StateDir dir(root, id);
    auto text = read_file(dir.state_file());
    if (!text) {
        if (text.error().sys_errno == ENOENT)
            return std::unexpected(Error{ENOENT, "container \"" + id + "\" does not exist"});
        return std::unexpected(std::move(text.error()));
    }
    auto j = BERTH_TRY(parse_json(*text, dir.state_file()));
    ContainerState s;
    s.id = id;
    s.bundle = j.value("bundle", "");
    s.rootfs = j.value("rootfs", "");
    s.pid = j.value("pid", 0);
    s.pid_start_time = j.value("pidStartTime", 0ULL);
    s.created = j.value("created", "");
    s.owner = j.value("owner", "");
    s.cgroups_path = j.value("cgroupsPath", "");
    if (j.contains("annotations") && j["annotations"].is_object())
        s.annotations = j["annotations"].get<std::map<std::string, std::string>>();
    return s;
}

Result<oci::Config> load_saved_config(const std::string& root, const std::string& id) {
    auto text = BERTH_TRY(read_file(StateDir(root, id).config_file()));
    return oci::parse_config_text(text);
}

Result<std::vector<std::string>> list_container_ids(const std::string& root) {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root.c_str());
    if (!d) {
        if (errno == ENOENT) return ids;
        return sys_fail("open runtime root " + root);
    }
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        if (path_exists(path_join(root, name) + "/state.json")) ids.push_back(name);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

unsigned long long process_start_time(pid_t pid) {
    auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return 0;
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    size_t p = text->rfind(')');
    if (p == std::string::npos) return 0;
    std::string rest = text->substr(p + 2);
    // rest starts at field 3 (state); start time is field 22.
    char state = rest.empty() ? '?' : rest[0];
    if (state == 'Z' || state == 'X') return 0;  // a zombie init has stopped
    size_t field = 3, pos = 0;
    while (field < 22 && pos != std::string::npos) {
        pos = rest.find(' ', pos);
        if (pos != std::string::npos) ++pos;
        ++field;
    }
    if (pos == std::string::npos) return 0;
    return std::strtoull(rest.c_str() + pos, nullptr, 10);
}

Status current_status(const std::string& root, const ContainerState& s) {
    if (s.pid <= 0) return Status::stopped;
    unsigned long long st = process_start_time(s.pid);
    if (st == 0 || st != s.pid_start_time) return Status::stopped;
    // Frozen first: a created container can be paused too (as with runc).
    if (auto cg = open_cgroup(s.cgroups_path, s.id)) {
        auto frozen = (*cg)->frozen();
        if (frozen && *frozen) return Status::paused;
    }
    if (path_exists(StateDir(root, s.id).exec_fifo())) return Status::created;
    return Status::running;
}

Json state_json(const ContainerState& s, Status status) {
    Json j = {{"ociVersion", "1.2.0"},
              {"id", s.id},
              {"pid", status == Status::stopped ? 0 : s.pid},
              {"status", status_name(status)},
              {"bundle", s.bundle},
              {"rootfs", s.rootfs},
              {"created", s.created},
              {"owner", s.owner}};
    if (!s.annotations.empty()) j["annotations"] = s.annotations;
    return j;
}

}  // namespace berth::runtime

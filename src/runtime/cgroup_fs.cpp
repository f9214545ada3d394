// File-level helpers for cgroupfs: single writes, the process walk, teardown.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

std::string file_path(const std::string& dir, std::string_view file) {
    return dir + "/" + std::string(file);
}

// Subdirectories of `dir` (child cgroups); a missing dir has none.
Result<std::vector<std::string>> child_dirs(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        return sys_fail("opendir " + dir);
    }
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = file_path(dir, name);
        struct stat st {};
        bool is_dir =
            e->d_type == DT_DIR ||
            (e->d_type == DT_UNKNOWN && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
        if (is_dir) out.push_back(std::move(path));
    }
    ::closedir(d);
    return out;
}

Result<void> rmdir_retrying(const std::string& dir) {
    for (int attempt = 0;; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
        if (errno != EBUSY || attempt >= 100) return sys_fail("rmdir " + dir);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

Result<void> write_file(const std::string& dir, std::string_view file, std::string_view value) {
    std::string path = file_path(dir, file);
    std::string what = "write " + path + " = " + std::string(trim(value));
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return sys_fail(what);
    UniqueFd guard(fd);
    // One write: the kernel parses each write(2) as one value.
    ssize_t n = ::write(fd, value.data(), value.size());
    if (n < 0) return sys_fail(what);
    if (static_cast<size_t>(n) != value.size()) return fail(what + ": short write");
    return {};
}

Result<std::string> read_trimmed(const std::string& dir, std::string_view file) {
    auto s = BERTH_TRY(read_file(file_path(dir, file)));
    return std::string(trim(s));
}

bool has_file(const std::string& dir, std::string_view file) {
    return path_exists(file_path(dir, file));
}

Result<std::vector<pid_t>> procs_recursive(const std::string& dir) {
    std::vector<pid_t> pids;
    if (!path_exists(dir)) return pids;
    auto text = BERTH_TRY(read_file(file_path(dir, "cgroup.procs")));
    for (auto& line : split(text, '\n')) {
        if (auto v = parse_int(trim(line))) pids.push_back(static_cast<pid_t>(*v));
    }
    for (auto& child : BERTH_TRY(child_dirs(dir))) {
        auto more = BERTH_TRY(procs_recursive(child));
        pids.insert(pids.end(), more.begin(), more.end());
    }
    return pids;
}

Result<void> kill_all(const std::string& dir) {
    for (pid_t pid : BERTH_TRY(procs_recursive(dir))) {
        if (::kill(pid, SIGKILL) != 0 && errno != ESRCH)
            return sys_fail("kill " + std::to_string(pid) + " in " + dir);
    }
    return {};
}

bool is_empty(const std::string& dir) {
    auto pids = procs_recursive(dir);
    return pids ? pids->empty() : !path_exists(dir);
}

Result<void> wait_empty(const std::string& dir) {
    return poll_until([&]() -> Result<bool> { return BERTH_TRY(procs_recursive(dir)).empty(); },
                      std::chrono::seconds(5), "wait for the processes in " + dir + " to exit");
}

Result<void> remove_tree(const std::string& dir) {
    for (auto& child : BERTH_TRY(child_dirs(dir))) BERTH_TRYV(remove_tree(child));
    return rmdir_retrying(dir);
}

Result<std::vector<CgroupLevel>> make_levels(const std::string& base, const std::string& rel) {
    std::vector<CgroupLevel> levels;
    std::string dir = base;
    for (auto& part : split(rel, '/')) {
        if (part.empty()) continue;
        dir = file_path(dir, part);
        bool created = ::mkdir(dir.c_str(), 0755) == 0;
        if (!created && errno != EEXIST) {
            auto err = sys_fail("mkdir " + dir);
            remove_created(levels);
            return err;
        }
        levels.push_back({dir, created});
    }
    return levels;
}

void remove_created(const std::vector<CgroupLevel>& levels) {
    for (auto it = levels.rbegin(); it != levels.rend(); ++it)
        if (it->created) ::rmdir(it->dir.c_str());
}

Result<void> poll_until(const std::function<Result<bool>()>& done,
                        std::chrono::milliseconds timeout, std::string_view what) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (BERTH_TRY(done())) return {};
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(std::string(what) + ": timed out after " + std::to_string(timeout.count()) +
                        "ms");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace berth::runtime::cgroup_detail

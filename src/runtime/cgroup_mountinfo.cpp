// Which cgroup hierarchies exist and where, from /proc/self/mountinfo and
// /proc/self/cgroup; and linux.cgroupsPath resolution.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

bool is_octal(char c) {
    return c >= '0' && c <= '7';
}

// Mountinfo escapes space, tab, newline and backslash as \ooo octal.
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
            is_octal(s[i + 3])) {
            int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
            out += static_cast<char>(v);
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices"
std::optional<MountInfo> parse_mountinfo_line(std::string_view line) {
    auto fields = split(line, ' ');
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) return std::nullopt;
    return MountInfo{unescape(fields[3]), unescape(fields[4]), *(dash + 1), *(dash + 3)};
}

bool is_v1_controller(std::string_view opt) {
    static constexpr std::array<std::string_view, 14> known = {
        "cpu",      "cpuacct", "cpuset",  "memory",     "devices", "freezer", "net_cls",
        "net_prio", "blkio",   "hugetlb", "perf_event", "pids",    "rdma",    "misc"};
    return opt.starts_with("name=") || std::ranges::find(known, opt) != known.end();
}

// A fake tree: every real subdirectory is a hierarchy named after its controllers.
Result<std::vector<V1Hierarchy>> scan_hierarchy_dirs(const std::string& mount_point) {
    std::vector<V1Hierarchy> out;
    DIR* d = ::opendir(mount_point.c_str());
    if (!d) return sys_fail("opendir " + mount_point);
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == ".." || name == "unified") continue;
        struct stat st {};
        std::string dir = path_join(mount_point, name);
        if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        auto controllers = split(name, ',');
        if (name == "systemd") controllers = {"name=systemd"};
        out.push_back({dir, controllers});
    }
    ::closedir(d);
    std::ranges::sort(out, {}, &V1Hierarchy::mount_dir);
    return out;
}

}  // namespace

std::vector<std::string> v1_controllers(std::string_view super_options) {
    std::vector<std::string> out;
    for (auto& opt : split(super_options, ','))
        if (is_v1_controller(opt)) out.push_back(opt);
    return out;
}

std::string parent_dir(const std::string& path) {
    auto pos = path.find_last_of('/');
    if (pos == std::string::npos) return ".";
    return pos == 0 ? "/" : path.substr(0, pos);
}

Result<std::vector<MountInfo>> read_mountinfo(const std::string& path) {
    auto text = BERTH_TRY(read_file(path));
    std::vector<MountInfo> out;
    for (auto& line : split(text, '\n'))
        if (auto m = parse_mountinfo_line(line)) out.push_back(std::move(*m));
    return out;
}

Result<std::vector<V1Hierarchy>> find_v1_hierarchies(const std::string& mount_point,
                                                     const std::vector<MountInfo>& mounts) {
    std::vector<V1Hierarchy> out;
    for (auto& m : mounts) {
        if (m.fs_type != "cgroup" || parent_dir(m.mount_point) != mount_point) continue;
        auto controllers = v1_controllers(m.super_options);
        if (!controllers.empty()) out.push_back({m.mount_point, std::move(controllers)});
    }
    if (!out.empty()) return out;
    return scan_hierarchy_dirs(mount_point);
}

Result<std::map<std::string, std::string>> read_proc_cgroup(const std::string& path) {
    auto text = BERTH_TRY(read_file(path));
    std::map<std::string, std::string> out;
    // "4:memory:/process_api/x"; the path may itself contain ':'.
    for (auto& line : split(text, '\n')) {
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) continue;
        out[line.substr(first + 1, second - first - 1)] = line.substr(second + 1);
    }
    return out;
}

Result<std::string> resolve_cgroup_path(const std::string& cgroups_path,
                                        const std::string& container_id) {
    std::string what = "linux.cgroupsPath \"" + cgroups_path + "\"";
    std::string raw;
    if (cgroups_path.empty()) {
        if (container_id.empty()) return fail(what + ": empty, and no container id to use");
        raw = "/berth/" + container_id;
    } else {
        raw = cgroups_path.front() == '/' ? cgroups_path : "/berth/" + cgroups_path;
    }
    std::vector<std::string> parts;
    for (auto& p : split(raw, '/')) {
        if (p.empty() || p == ".") continue;
        // The cgroup must stay below the root it is placed under.
        if (p == "..") return fail(what + ": \"..\" components are not allowed");
        parts.push_back(p);
    }
    if (parts.empty()) return fail(what + ": names the cgroup root itself");
    std::string out;
    for (auto& p : parts) out.append("/").append(p);
    return out;
}

}  // namespace berth::runtime::cgroup_detail

#include "base/file.hpp"
#include "engine/container_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <deque>
#include <vector>

#include "base/base64.hpp"
#include "base/time.hpp"

namespace berth::engine {

namespace {

// filepath.Clean of an absolute path.
std::string clean_abs(std::string_view path) {
    std::vector<std::string> parts;
    for (auto& c : path_components(path)) {
        if (c == ".") continue;
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(std::move(c));
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

}  // namespace

SplitPath split_container_path(std::string_view path) {
    SplitPath s;
    s.abs = clean_abs(path);
    // archive.PreserveTrailingDotOrSeparator: "x/." and "x/" mean "the contents of x".
    if ((path.ends_with("/.") || path == ".") && s.abs != "/") s.abs += "/.";
    else if (path.ends_with('/') && s.abs != "/") s.abs += "/";
    auto slash = s.abs.rfind('/');
    s.dir = s.abs.substr(0, slash + 1);
    s.base = s.abs.substr(slash + 1);
    return s;
}

std::string base_name(std::string_view abs) {
    while (abs.size() > 1 && abs.ends_with('/')) abs.remove_suffix(1);
    if (abs == "/") return "/";
    return std::string(abs.substr(abs.rfind('/') + 1));
}

Result<std::string> resolve_in_root(int root_fd, std::string_view path) {
    std::vector<std::string> done;
    auto todo_v = path_components(path);
    std::deque<std::string> todo(todo_v.begin(), todo_v.end());
    int links = 0;
    auto joined = [&] {
        std::string out;
        for (const auto& p : done) out += "/" + p;
        return out;
    };
    while (!todo.empty()) {
        std::string c = std::move(todo.front());
        todo.pop_front();
        if (c == ".") continue;
        if (c == "..") {
            if (!done.empty()) done.pop_back();
            continue;
        }
        std::string rel = (joined() + "/" + c).substr(1);
        struct stat st;
        if (::fstatat(root_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT && errno != ENOTDIR) return sys_fail("stat " + rel);
            done.push_back(std::move(c));
            for (auto& rest : todo) done.push_back(std::move(rest));
            break;
        }
        if (!S_ISLNK(st.st_mode)) {
            done.push_back(std::move(c));
            continue;
        }
        if (++links > 40) return sys_fail("resolve " + std::string(path), ELOOP);
        std::string target(4096, '\0');
        ssize_t n = ::readlinkat(root_fd, rel.c_str(), target.data(), target.size());
        if (n < 0) return sys_fail("readlink " + rel);
        target.resize(static_cast<size_t>(n));
        if (target.starts_with('/')) done.clear();
        auto parts = path_components(target);
        todo.insert(todo.begin(), parts.begin(), parts.end());
    }
    std::string out = joined();
    return out.empty() ? "/" : out;
}

std::uint32_t go_file_mode(mode_t mode) {
    std::uint32_t m = mode & 0777;
    switch (mode & S_IFMT) {
        case S_IFDIR: m |= 1u << 31; break;
        case S_IFLNK: m |= 1u << 27; break;
        case S_IFBLK: m |= 1u << 26; break;
        case S_IFCHR: m |= (1u << 26) | (1u << 21); break;
        case S_IFIFO: m |= 1u << 25; break;
        case S_IFSOCK: m |= 1u << 24; break;
        default: break;
    }
    if (mode & S_ISUID) m |= 1u << 23;
    if (mode & S_ISGID) m |= 1u << 22;
    if (mode & S_ISVTX) m |= 1u << 20;
    return m;
}

PathStat path_stat(std::string name, const struct stat& st, std::string link_target) {
    PathStat s;
    s.name = std::move(name);
    s.size = st.st_size;
    s.mode = go_file_mode(st.st_mode);
    s.mtime = rfc3339(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    s.link_target = std::move(link_target);
    return s;
}

Json path_stat_json(const PathStat& s) {
    return Json{{"name", s.name}, {"size", s.size}, {"mode", s.mode}, {"mtime", s.mtime}, {"linkTarget", s.link_target}};
}

std::string path_stat_header(const PathStat& s) { return base64_encode(dump_compact(path_stat_json(s))); }

}  // namespace berth::engine

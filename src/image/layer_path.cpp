#include "image/layer_path.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/scope_exit.hpp"
#include "base/strings.hpp"

namespace berth::image {

namespace {

std::string joined(const std::vector<std::string>& parts, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

int openat2_beneath(int dir_fd, const std::string& rel, int flags) {
    open_how how{};
    how.flags = static_cast<__u64>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
        long fd = ::syscall(SYS_openat2, dir_fd, rel.c_str(), &how, sizeof how);
        if (fd < 0 && errno == EAGAIN && attempt < 16) continue;  // openat2(2): retry
        return static_cast<int>(fd);
    }
}

std::unexpected<Error> lookup_error(const std::string& path, int err) {
    if (err == ELOOP) return fail("\"" + path + "\" goes through a symlink; refusing to follow it");
    if (err == ENOTDIR) return fail("\"" + path + "\" goes through something that is not a directory");
    if (err == EXDEV) return fail("\"" + path + "\" escapes the layer root");
    return sys_fail("open \"" + path + "\"", err);
}

}  // namespace

Result<std::vector<std::string>> split_layer_path(std::string_view path) {
    if (path.starts_with('/')) return fail("path \"" + std::string(path) + "\" is absolute; layer paths must be relative");
    if (path.find('\0') != std::string_view::npos) return fail("path contains a NUL byte");
    std::vector<std::string> parts;
    for (auto& c : split(path, '/')) {
        if (c.empty() || c == ".") continue;
        if (c == "..") return fail("path \"" + std::string(path) + "\" contains \"..\"; it could escape the layer root");
        parts.push_back(std::move(c));
    }
    return parts;
}

Result<UniqueFd> open_dir_beneath(int root_fd, const std::vector<std::string>& parts, std::size_t count,
                                  bool create) {
    std::string whole = joined(parts, count);
    int fd = openat2_beneath(root_fd, whole, O_PATH | O_DIRECTORY);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != ENOENT || !create) return lookup_error(whole, errno);
    // Some component is missing: walk one at a time, making what is missing.
    UniqueFd cur(openat2_beneath(root_fd, ".", O_PATH | O_DIRECTORY));
    if (!cur) return sys_fail("open layer root");
    for (std::size_t i = 0; i < count; ++i) {
        int next = openat2_beneath(cur.get(), parts[i], O_PATH | O_DIRECTORY);
        if (next < 0 && errno == ENOENT) {
            if (::mkdirat(cur.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
                return sys_fail("mkdir \"" + joined(parts, i + 1) + "\"");
            next = openat2_beneath(cur.get(), parts[i], O_PATH | O_DIRECTORY);
        }
        if (next < 0) return lookup_error(joined(parts, i + 1), errno);
        cur.reset(next);
    }
    return cur;
}

Result<void> remove_all_at(int dir_fd, const std::string& name) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return {};
        return sys_fail("stat \"" + name + "\"");
    }
    if (!S_ISDIR(st.st_mode)) {
        if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) return sys_fail("unlink \"" + name + "\"");
        return {};
    }
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys_fail("open \"" + name + "\"");
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        return sys_fail("opendir \"" + name + "\"");
    }
    {
        ScopeExit close_dir([d] { ::closedir(d); });
        std::vector<std::string> children;
        while (dirent* de = ::readdir(d)) {
            std::string child = de->d_name;
            if (child != "." && child != "..") children.push_back(std::move(child));
        }
        for (const auto& child : children)
            BERTH_TRYV_CTX(remove_all_at(::dirfd(d), child), "remove \"" + name + "\"");
    }
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) return sys_fail("rmdir \"" + name + "\"");
    return {};
}

std::string proc_path_at(int dir_fd, const std::string& name) {
    return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
}

}  // namespace berth::image

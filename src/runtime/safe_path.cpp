#include "base/file.hpp"
#include "runtime/safe_path.hpp"

#include <linux/openat2.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
#include <vector>

namespace berth::runtime {
namespace {

// The kernel's own limit on symlinks followed in one lookup (MAXSYMLINKS).
constexpr int kMaxSymlinks = 40;

std::string joined(const std::vector<std::string>& parts, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
        if (!out.empty()) out += '/';
        out += parts[i];
    }
    return out.empty() ? "." : out;
}

// openat2 with RESOLVE_IN_ROOT; errno is kept for the caller to branch on.
int openat2_in_root(int root_fd, const std::string& rel, int flags) {
    open_how how{};
    how.flags = static_cast<__u64>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
        long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
        // EAGAIN: a rename or mount anywhere on the machine during a ".." step made
        // the kernel unsure; it asks for a retry (openat2(2)). A busy host (other
        // containers starting) can need many: yield and try again.
        if (fd < 0 && errno == EAGAIN && attempt < 1000) {
            if (attempt >= 8) ::sched_yield();
            continue;
        }
        return static_cast<int>(fd);
    }
}

Result<std::string> read_link_at(int dir_fd, const std::string& name) {
    std::string buf(4096, '\0');
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return sys_fail("readlink " + name);
    buf.resize(static_cast<size_t>(n));
    return buf;
}

// Creates `name` in `dir_fd` as `what`; an existing entry (a race, or what we
// came for) is fine: the caller re-resolves and sees what is there.
Result<void> create_entry(int dir_fd, const std::string& name, Create what, mode_t mode) {
    if (what == Create::directory) {
        if (::mkdirat(dir_fd, name.c_str(), mode) != 0 && errno != EEXIST)
            return sys_fail("mkdir " + name);
        return {};
    }
    int fd =
        ::openat(dir_fd, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST) return {};
        return sys_fail("create " + name);
    }
    ::close(fd);
    return {};
}

// One component is missing under the resolved parent `parent_fd`. Either it is a
// dangling symlink (returns its target, to be spliced into the path) or it does
// not exist at all (creates it, returns nullopt).
Result<std::optional<std::string>> fill_missing(int parent_fd, const std::string& name, Create what,
                                                mode_t mode) {
    struct stat st {};
    if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) return BERTH_TRY(read_link_at(parent_fd, name));
        return std::nullopt;  // appeared meanwhile
    }
    if (errno != ENOENT) return sys_fail("stat " + name);
    BERTH_TRYV(create_entry(parent_fd, name, what, mode));
    return std::nullopt;
}

}  // namespace

Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags) {
    std::string rel = joined(path_components(path), path_components(path).size());
    int fd = openat2_in_root(root_fd, rel, flags);
    if (fd < 0) return sys_fail("open " + std::string(path) + " in root");
    return UniqueFd(fd);
}

// Resolves the path one more component at a time with the kernel's RESOLVE_IN_ROOT
// (so ".." and symlinks behave exactly as they will after pivot_root) and fills in
// each missing one. Only a dangling symlink needs our own handling: its target is
// spliced into the remaining path and resolution starts over.
Result<UniqueFd> create_in_root(int root_fd, std::string_view path, Create last, mode_t mode) {
    const std::string shown(path);
    auto parts = path_components(path);
    int symlinks = 0;
    UniqueFd parent(openat2_in_root(root_fd, ".", O_PATH | O_DIRECTORY));
    if (!parent) return sys_fail("open root for " + shown);
    size_t i = 0;
    int creations = 0;  // at the current component; a second means no progress
    while (i < parts.size()) {
        const std::string prefix = joined(parts, i + 1);
        const bool is_last = i + 1 == parts.size();
        int fd = openat2_in_root(root_fd, prefix, O_PATH);
        if (fd >= 0) {
            parent.reset(fd);
            ++i;
            creations = 0;
            continue;
        }
        if (errno != ENOENT) return sys_fail("resolve " + prefix + " of " + shown);
        auto link = fill_missing(parent.get(), parts[i], is_last ? last : Create::directory, mode);
        if (!link) return std::unexpected(std::move(link.error()).context("create " + shown));
        if (!*link) {  // created: resolve the same prefix again
            if (++creations > 1) return fail("create " + shown + ": " + prefix + " vanishes");
            continue;
        }
        if (++symlinks > kMaxSymlinks) return sys_fail("resolve " + shown, ELOOP);
        // parts[i] is a dangling symlink: replace it by its target's components.
        auto target = path_components(**link);
        std::vector<std::string> next;
        if ((*link)->front() != '/')
            next.assign(parts.begin(), parts.begin() + static_cast<long>(i));
        next.insert(next.end(), target.begin(), target.end());
        next.insert(next.end(), parts.begin() + static_cast<long>(i) + 1, parts.end());
        parts = std::move(next);
        parent.reset(openat2_in_root(root_fd, ".", O_PATH | O_DIRECTORY));
        if (!parent) return sys_fail("open root for " + shown);
        i = 0;
    }
    return parent;
}

std::string fd_path(int fd) {
    return "/proc/self/fd/" + std::to_string(fd);
}

Result<std::string> verified_path(int fd, const std::string& root) {
    auto p = read_link_at(AT_FDCWD, fd_path(fd));
    if (!p) return std::unexpected(std::move(p.error()));
    const std::string& got = *p;
    bool inside = root == "/" || got == root ||
                  (got.size() > root.size() && got.starts_with(root) && got[root.size()] == '/');
    if (!inside) return fail("path " + got + " is outside of " + root);
    return got;
}

}  // namespace berth::runtime

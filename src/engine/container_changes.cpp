#include "base/file.hpp"
#include "engine/container_changes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "base/scope_exit.hpp"
#include "base/unique_fd.hpp"
#include "image/whiteout.hpp"

namespace berth::engine {

namespace {

// Paths docker's init layer holds: mount targets the runtime creates.
constexpr std::array<std::string_view, 5> kInitFiles = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
                                                        "/.dockerenv", "/etc/mtab"};
constexpr std::array<std::string_view, 3> kInitTrees = {"/dev", "/proc", "/sys"};

bool hidden_init_path(std::string_view path) {
    for (auto p : kInitFiles)
        if (path == p) return true;
    for (auto t : kInitTrees)
        if (path == t || (path.starts_with(t) && path.size() > t.size() && path[t.size()] == '/')) return true;
    return false;
}

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool is_opaque(int dir_fd) {
    char v[4];
    ssize_t n = ::fgetxattr(dir_fd, image::whiteout::kOpaqueXattr.data(), v, sizeof v);
    return n == 1 && v[0] == 'y';
}

// lstat of `rel` beneath a lower layer, refusing symlinks on the way: a lower's
// symlink may point anywhere on the host, and the path is not that layer's then.
bool lower_stat(int layer_fd, const std::string& rel, struct stat& st) {
    open_how how{};
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    long fd = ::syscall(SYS_openat2, layer_fd, rel.c_str(), &how, sizeof how);
    if (fd < 0) return false;
    UniqueFd guard(static_cast<int>(fd));
    return ::fstatat(guard.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0;
}

class Walker {
  public:
    explicit Walker(const std::vector<int>& lowers) : lowers_(lowers) {}
    Result<void> walk(int dir_fd, const std::string& dir_path);
    std::vector<FsChange> out;

  private:
    // Whether the upper directory differs from the lower one only through init files.
    Result<bool> only_init_entries(int dir_fd, const std::string& path);
    Result<void> visit(int dir_fd, const std::string& name, const std::string& path);
    const std::vector<int>& lowers_;
    std::set<std::string> changed_dirs_;
};

Result<bool> Walker::only_init_entries(int dir_fd, const std::string& path) {
    auto names = BERTH_TRY(sorted_dir_names(dir_fd));
    bool any_init = false;
    for (const auto& n : names) {
        std::string child = path + "/" + n;
        if (!hidden_init_path(child)) {
            // Copied up with its lower self: not an entry of its own.
            struct stat cst, lst;
            if (::fstatat(dir_fd, n.c_str(), &cst, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("stat " + child);
            bool in_lower = false;
            for (int l : lowers_) in_lower = in_lower || lower_stat(l, child.substr(1), lst);
            if (!in_lower || !S_ISDIR(cst.st_mode)) return false;
        } else {
            any_init = true;
        }
    }
    return any_init;
}

Result<void> Walker::visit(int dir_fd, const std::string& name, const std::string& path) {
    if (hidden_init_path(path)) return {};
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("stat " + path);
    UniqueFd child;
    if (S_ISDIR(st.st_mode)) {
        child = UniqueFd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) return sys_fail("open " + path);
    }
    FsChange change{path, ChangeKind::added};
    bool skip = false;
    if (is_whiteout(st) || (child && is_opaque(child.get()))) {
        // docker's overlay walker calls an opaque directory deleted too (its new
        // contents follow as added).
        change.kind = ChangeKind::deleted;
    } else {
        for (int layer : lowers_) {
            struct stat lst;
            if (!lower_stat(layer, path.substr(1), lst)) continue;
            change.kind = ChangeKind::modified;
            if (child && S_ISDIR(lst.st_mode) && st.st_mode == lst.st_mode) {
                bool same = st.st_size == lst.st_size && st.st_mtim.tv_sec == lst.st_mtim.tv_sec &&
                            st.st_mtim.tv_nsec == lst.st_mtim.tv_nsec;
                skip = same || BERTH_TRY(only_init_entries(child.get(), path));
            }
            break;
        }
    }
    if (!skip) {
        if (child) changed_dirs_.insert(path);
        if (change.kind != ChangeKind::modified) {
            auto parent = path.substr(0, path.rfind('/'));
            if (!parent.empty() && !changed_dirs_.contains(parent)) {
                out.push_back({parent, ChangeKind::modified});
                changed_dirs_.insert(parent);
            }
        }
        out.push_back(std::move(change));
    }
    if (child) BERTH_TRYV(walk(child.get(), path));
    return {};
}

Result<void> Walker::walk(int dir_fd, const std::string& dir_path) {
    auto names = BERTH_TRY(sorted_dir_names(dir_fd));
    for (const auto& n : names) BERTH_TRYV(visit(dir_fd, n, dir_path + "/" + n));
    return {};
}

}  // namespace

Result<std::vector<FsChange>> container_changes(int upper_fd, const std::vector<int>& lower_fds) {
    Walker w(lower_fds);
    BERTH_TRYV_CTX(w.walk(upper_fd, ""), "reading the container's changes");
    return std::move(w.out);
}

}  // namespace berth::engine

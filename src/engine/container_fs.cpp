#include "engine/container_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_exit.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"
#include "base/unique_fd.hpp"
#include "engine/container_entry.hpp"
#include "engine/daemon.hpp"
#include "image/layer_diff.hpp"
#include "image/overlay_mount.hpp"
#include "runtime/safe_path.hpp"

namespace berth::engine {

Result<void> ContainerService::with_op_held(const std::string& ref,
                                            const std::function<Result<void>(const Container&)>& fn) {
    auto e = BERTH_TRY(entry(ref));
    std::lock_guard op(e->op);
    Container c;
    {
        std::lock_guard lock(mu_);
        if (e->removed || e->c.state.status == ContainerStatus::removing)
            return fail_as(ErrorKind::not_found, "No such container: " + ref);
        c = e->c;
    }
    return fn(c);
}

namespace {

Result<UniqueFd> open_dir(const std::string& path) { return open_fd(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC); }

// A container's root directory, open; for a stopped container also the private
// overlay it lives on, unmounted (and its mountpoint removed) when this goes.
// The overlay stays attached while in use: lookups on a detached mount make the
// kernel refuse RESOLVE_IN_ROOT's ".." steps with EAGAIN (every mntput of a
// detached mount bumps mount_lock's sequence). A daemon that dies meanwhile
// leaves it under <exec-root>/fs-mounts, which the next start clears.
class ContainerRoot {
  public:
    explicit ContainerRoot(UniqueFd fd) : fd_(std::move(fd)) {}
    ContainerRoot(UniqueFd fd, image::OverlayMount mount, std::string target)
        : mount_(std::move(mount)), target_(std::move(target)), fd_(std::move(fd)) {}
    ContainerRoot(ContainerRoot&&) = default;
    ~ContainerRoot() {
        fd_ = UniqueFd();
        if (!mount_.target().empty()) (void)mount_.unmount();
        if (!target_.empty()) ::rmdir(target_.c_str());
    }
    int get() const { return fd_.get(); }

  private:
    image::OverlayMount mount_;
    std::string target_;
    UniqueFd fd_;
};

// A stopped container's layers as one overlay on a private directory. Read-only,
// the upper directory is just the top lower layer (an overlay with an upper needs
// the work directory too).
Result<ContainerRoot> open_private_overlay(Daemon& d, const Container& c, bool writable) {
    auto p = d.containers().paths(c.id);
    image::OverlaySpec spec;
    spec.lower_dirs = BERTH_TRY(d.images().layer_dirs(c.image_id));
    if (writable) {
        spec.upper_dir = p.upper_dir();
        spec.work_dir = p.work_dir();
    } else {
        spec.lower_dirs.push_back(p.upper_dir());
    }
    std::string base = d.config().exec_root + "/fs-mounts";
    BERTH_TRYV(mkdir_p(base, 0700));
    std::string target = base + "/" + c.id.substr(0, 12) + "-XXXXXX";
    if (!::mkdtemp(target.data())) return sys_fail("make a mountpoint in " + base);
    ScopeExit remove_target([&] { ::rmdir(target.c_str()); });
    auto mount = BERTH_TRY(image::mount_overlay(spec, target));
    auto root = BERTH_TRY(open_dir(target));
    remove_target.dismiss();
    return ContainerRoot(std::move(root), std::move(mount), target);
}

// The container's root as its processes see it when it runs (bind mounts
// included), else a private overlay of its layers.
Result<ContainerRoot> open_container_root(Daemon& d, const Container& c, bool writable) {
    if (c.state.running() && c.state.pid > 0)
        return ContainerRoot(BERTH_TRY(open_dir("/proc/" + std::to_string(c.state.pid) + "/root")));
    return open_private_overlay(d, c, writable);
}

Error file_not_found(const std::string& path, const std::string& ref) {
    return Error{0, cat("Could not find the file ", path, " in container ", ref), ErrorKind::not_found};
}

// One "name:x:uid:gid:..." line of /etc/passwd or "name:x:gid:..." of /etc/group
// whose name (or number) is `who`; nullopt when none.
std::optional<std::vector<std::string>> find_entry(const std::string& text, const std::string& who, size_t id_field) {
    for (const auto& line : split(text, '\n')) {
        auto f = split(line, ':');
        if (f.size() <= id_field) continue;
        if (f[0] == who || f[id_field] == who) return f;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> number(const std::string& s) {
    if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
    auto v = std::stoull(s);
    if (v > 0xffffffffull) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

// The container's user (Config.User: "name", "uid", "name:group", "uid:gid") as
// ids, looked up in the container's own /etc/passwd and /etc/group.
Result<Owner> container_owner(int root_fd, const std::string& user_spec) {
    if (user_spec.empty()) return Owner{};
    auto colon = user_spec.find(':');
    std::string user = user_spec.substr(0, colon);
    std::string group = colon == std::string::npos ? "" : user_spec.substr(colon + 1);
    auto read_in_root = [&](const char* path) -> std::string {
        auto fd = runtime::open_in_root(root_fd, path, O_RDONLY);
        if (!fd) return {};
        auto text = read_fd(fd->get());
        return text ? *text : std::string();
    };
    Owner o;
    auto pw = find_entry(read_in_root("/etc/passwd"), user, 2);
    if (auto n = number(user)) o.uid = *n;
    else if (pw && number((*pw)[2])) o.uid = *number((*pw)[2]);
    else return fail_as(ErrorKind::invalid_argument, cat("unable to find user ", user, ": no matching entries in passwd file"));
    if (group.empty()) {
        if (pw && pw->size() > 3 && number((*pw)[3])) o.gid = *number((*pw)[3]);
    } else if (auto n = number(group)) {
        o.gid = *n;
    } else if (auto gr = find_entry(read_in_root("/etc/group"), group, 2); gr && number((*gr)[2])) {
        o.gid = *number((*gr)[2]);
    } else {
        return fail_as(ErrorKind::invalid_argument, cat("unable to find group ", group, ": no matching entries in group file"));
    }
    return o;
}

}  // namespace

Result<std::vector<FsChange>> ContainerFs::changes(const std::string& ref) {
    std::vector<FsChange> out;
    BERTH_TRYV(d_.containers().with_op_held(ref, [&](const Container& c) -> Result<void> {
        auto upper = BERTH_TRY(open_dir(d_.containers().paths(c.id).upper_dir()));
        std::vector<UniqueFd> lowers;
        std::vector<int> lower_fds;
        for (const auto& dir : BERTH_TRY(d_.images().layer_dirs(c.image_id))) {
            lowers.push_back(BERTH_TRY(open_fd(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)));
            lower_fds.push_back(lowers.back().get());
        }
        out = BERTH_TRY(container_changes(upper.get(), lower_fds));
        return {};
    }));
    return out;
}

Result<void> ContainerFs::export_rootfs(const std::string& ref, const StartBody& start) {
    return d_.containers().with_op_held(ref, [&](const Container& c) -> Result<void> {
        // The layers only, as docker exports them: the running container's own
        // rootfs mount, not its processes' view with the bind mounts.
        auto open_root = [&]() -> Result<ContainerRoot> {
            if (!c.state.running()) return open_private_overlay(d_, c, false);
            return ContainerRoot(BERTH_TRY(open_dir(d_.containers().paths(c.id).rootfs())));
        };
        auto root = open_root();
        if (!root) return std::unexpected(root.error());
        d_.containers().publish(c, "export");
        ByteWriter* out = start();
        if (!out) return {};
        return image::write_tree_tar(root->get(), *out);
    });
}

Result<void> ContainerFs::archive(const std::string& ref, const std::string& path, const StartArchive& start) {
    return d_.containers().with_op_held(ref, [&](const Container& c) -> Result<void> {
        auto root = BERTH_TRY(open_container_root(d_, c, false));
        auto sp = split_container_path(path);
        // The directory part resolves through symlinks; the last component is
        // taken as it is (a symlink is archived as a symlink), as docker does.
        auto dir = runtime::open_in_root(root.get(), sp.dir, O_PATH | O_DIRECTORY);
        if (!dir) {
            if (dir.error().sys_errno == ENOENT || dir.error().sys_errno == ENOTDIR)
                return std::unexpected(file_not_found(path, ref));
            return std::unexpected(dir.error());
        }
        std::string name = sp.base.empty() ? "." : sp.base;
        struct stat st;
        if (::fstatat(dir->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) return std::unexpected(file_not_found(path, ref));
            return sys_fail("stat " + sp.abs);
        }
        std::string link_target;
        if (S_ISLNK(st.st_mode)) link_target = BERTH_TRY(resolve_in_root(root.get(), sp.abs));
        std::string top = base_name(sp.abs);
        auto stat = path_stat(top, st, link_target);
        ByteWriter* out = start(stat);
        if (!out) return {};
        d_.containers().publish(c, "archive-path");
        return image::write_entry_tar(dir->get(), name, top == "/" ? "." : top, *out);
    });
}

Result<void> ContainerFs::extract(const std::string& ref, const ArchiveUpload& up, ByteReader& tar) {
    return d_.containers().with_op_held(ref, [&](const Container& c) -> Result<void> {
        if (c.settings.read_only) return fail("container rootfs is marked read-only");
        auto root = BERTH_TRY(open_container_root(d_, c, true));
        auto dest_fd = runtime::open_in_root(root.get(), up.path, O_PATH);
        if (!dest_fd) {
            if (dest_fd.error().sys_errno == ENOENT || dest_fd.error().sys_errno == ENOTDIR)
                return std::unexpected(file_not_found(up.path, ref));
            return std::unexpected(dest_fd.error());
        }
        struct stat st;
        if (::fstat(dest_fd->get(), &st) != 0) return sys_fail("stat " + up.path);
        if (!S_ISDIR(st.st_mode)) return fail_as(ErrorKind::invalid_argument, "extraction point is not a directory");
        ExtractOptions opts;
        opts.no_overwrite_dir_non_dir = up.no_overwrite_dir_non_dir;
        if (up.copy_uid_gid) opts.owner = BERTH_TRY(container_owner(root.get(), c.settings.user));
        auto dest = BERTH_TRY(resolve_in_root(root.get(), up.path));
        BERTH_TRYV(extract_in_root(tar, root.get(), dest, opts));
        d_.containers().publish(c, "extract-to-dir");
        return {};
    });
}

}  // namespace berth::engine

// /dev inside the container (runtime-spec config-linux.md "Default Devices" and
// "Devices"): the six default nodes, linux.devices, and the conventional symlinks.
// In a user namespace mknod of a device is refused (CAP_MKNOD is checked against
// the initial namespace), so the host's node is bind-mounted onto an empty file.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>

#include "runtime/rootfs_steps.hpp"
#include "runtime/safe_path.hpp"

namespace berth::runtime {
namespace {

struct Node {
    std::string path;  // absolute inside the container
    char type;         // 'c', 'b', 'u', 'p'
    int64_t major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};

std::vector<Node> default_nodes() {
    return {{"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
            {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
            {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0}};
}

Node from_config(const oci::Device& d) {
    return {d.path,
            d.type,
            d.major,
            d.minor,
            static_cast<mode_t>(d.file_mode.value_or(0666) & 07777),
            d.uid.value_or(0),
            d.gid.value_or(0)};
}

mode_t file_type(char type) {
    switch (type) {
        case 'b':
            return S_IFBLK;
        case 'p':
            return S_IFIFO;
        default:
            return S_IFCHR;  // 'c' and 'u' (unbuffered char)
    }
}

std::string dir_of(const std::string& p) {
    return p.substr(0, p.rfind('/') + 1);
}
std::string base_of(const std::string& p) {
    return p.substr(p.rfind('/') + 1);
}

// True when `name` in `dir` already is the node we want (a re-run, or the image
// ships /dev). Anything else but a directory is removed to make room.
Result<bool> already_there(int dir, const std::string& name, mode_t type, dev_t rdev) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        return sys_fail("stat");
    }
    if ((st.st_mode & S_IFMT) == type && (type == S_IFIFO || st.st_rdev == rdev)) return true;
    if (S_ISDIR(st.st_mode)) return fail("exists and is a directory");
    if (::unlinkat(dir, name.c_str(), 0) != 0) return sys_fail("remove existing");
    return false;
}

Result<void> make_node(int dir, const std::string& name, const Node& n) {
    const mode_t type = file_type(n.type);
    const dev_t rdev = type == S_IFIFO ? 0 : makedev(n.major, n.minor);
    if (!BERTH_TRY(already_there(dir, name, type, rdev)) &&
        ::mknodat(dir, name.c_str(), type | n.mode, rdev) != 0)
        return sys_fail("mknod");
    // mknod honours the umask; the config's mode is meant exactly.
    if (::fchmodat(dir, name.c_str(), n.mode, 0) != 0) return sys_fail("chmod");
    if (::fchownat(dir, name.c_str(), n.uid, n.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return sys_fail("chown");
    return {};
}

Result<void> bind_node(int dir, const std::string& name, const Node& n) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) return fail("exists and is a directory");
        if (::unlinkat(dir, name.c_str(), 0) != 0) return sys_fail("remove existing");
    }
    int fd = ::openat(dir, name.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return sys_fail("create mount point");
    UniqueFd file(fd);
    if (::mount(n.path.c_str(), fd_path(file.get()).c_str(), nullptr, MS_BIND, nullptr) != 0)
        return sys_fail("bind host " + n.path);
    return {};
}

Result<void> create_node(const RootfsContext& ctx, const Node& n) {
    if (!n.path.starts_with('/') || n.path.ends_with('/')) return fail("bad device path");
    auto dir = BERTH_TRY(create_in_root(ctx.root_fd, dir_of(n.path), Create::directory));
    // A fifo needs no privilege, so it is made even in a user namespace.
    if (ctx.in_user_namespace && n.type != 'p') return bind_node(dir.get(), base_of(n.path), n);
    return make_node(dir.get(), base_of(n.path), n);
}

Result<void> link(int dev_dir, const char* target, const char* name) {
    if (::symlinkat(target, dev_dir, name) != 0 && errno != EEXIST)
        return sys_fail(std::string("symlink /dev/") + name + " -> " + target);
    return {};
}

bool mounts_at(const oci::Config& c, const char* dest, const char* type) {
    for (const auto& m : c.mounts) {
        std::string d = m.destination;
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        if (d != dest) continue;
        if (type == std::string_view("bind")) {
            for (const auto& o : m.options)
                if (o == "bind" || o == "rbind") return true;
        }
        if (m.type == type) return true;
    }
    return false;
}

Result<void> dev_links(const RootfsContext& ctx, const oci::Config& c) {
    auto dev = BERTH_TRY(create_in_root(ctx.root_fd, "/dev", Create::directory));
    BERTH_TRYV(link(dev.get(), "/proc/self/fd", "fd"));
    BERTH_TRYV(link(dev.get(), "/proc/self/fd/0", "stdin"));
    BERTH_TRYV(link(dev.get(), "/proc/self/fd/1", "stdout"));
    BERTH_TRYV(link(dev.get(), "/proc/self/fd/2", "stderr"));
    if (::access("/proc/kcore", F_OK) == 0) BERTH_TRYV(link(dev.get(), "/proc/kcore", "core"));
    if (mounts_at(c, "/dev/pts", "devpts")) {
        // The multi-instance devpts (newinstance) owns its own ptmx; /dev/ptmx must
        // lead there, not to the host's node (Documentation/filesystems/devpts.rst).
        if (::unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT)
            return sys_fail("remove /dev/ptmx");
        BERTH_TRYV(link(dev.get(), "pts/ptmx", "ptmx"));
    }
    return {};
}

}  // namespace

Result<void> setup_dev(const RootfsContext& ctx, const oci::Config& config) {
    if (mounts_at(config, "/dev", "bind")) return {};
    std::vector<Node> nodes = default_nodes();
    if (config.linux_)
        for (const auto& d : config.linux_->devices) nodes.push_back(from_config(d));
    for (const auto& n : nodes) BERTH_TRYV_CTX(create_node(ctx, n), "create device " + n.path);
    return dev_links(ctx, config);
}

}  // namespace berth::runtime

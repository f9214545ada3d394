#include "image/layer_apply.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "image/decompress.hpp"
#include "image/hashing_stream.hpp"
#include "image/layer_path.hpp"
#include "image/tar_reader.hpp"
#include "image/whiteout.hpp"

namespace berth::image {

namespace {

// A tar entry's place in the layer: its parent directory (opened beneath the root)
// and its own name there.
struct Placed {
    UniqueFd parent;
    std::string name;
};

class Applier {
  public:
    Applier(int root_fd, const ApplyOptions& opts) : root_(root_fd), opts_(opts) {}

    Result<void> apply(const TarEntry& e, ByteReader& body);
    // Sets the directories' mtimes, now that nothing will be created in them.
    Result<void> finish_dir_times();
    std::uint64_t unpacked() const { return unpacked_; }
    std::uint64_t disk_size() const { return unpacked_ + symlink_bytes_; }

  private:
    Result<void> apply_whiteout(const TarEntry& e, Placed& at, std::string_view hidden);
    Result<void> make_file(const TarEntry& e, Placed& at, ByteReader& body);
    Result<void> make_dir(const TarEntry& e, int parent, const std::string& name);
    Result<void> make_hardlink(const TarEntry& e, Placed& at);
    Result<void> make_other(const TarEntry& e, Placed& at);
    Result<void> set_xattrs_fd(const TarEntry& e, int fd);
    Result<void> set_xattrs_at(const TarEntry& e, const Placed& at);
    Result<void> set_one_xattr(const std::string& key, const std::string& value, int fd, const std::string& path);

    int root_;
    const ApplyOptions& opts_;
    std::uint64_t entries_ = 0, unpacked_ = 0, symlink_bytes_ = 0;
    std::vector<std::pair<std::vector<std::string>, timespec>> dir_times_;
};

bool is_dir_at(int dir_fd, const std::string& name) {
    struct stat st;
    return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

// A regular file's or directory's owner and mode through its fd: chown first, as
// chown clears setuid/setgid bits (chown(2)).
Result<void> set_owner_mode_fd(const TarEntry& e, int fd) {
    if (::fchown(fd, e.uid, e.gid) != 0) return sys_fail("chown");
    if (::fchmod(fd, e.mode & 07777) != 0) return sys_fail("chmod");
    return {};
}

Result<void> set_times_at(int parent, const std::string& name, timespec mtime) {
    timespec times[2] = {mtime, mtime};
    if (::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("set mtime");
    return {};
}

Result<void> Applier::set_one_xattr(const std::string& key, const std::string& value, int fd,
                                    const std::string& path) {
    if (key.starts_with(whiteout::kOverlayXattrPrefix)) {
        log::warn("layer entry carries overlayfs xattr " + key + "; dropped");
        return {};
    }
    int rc = fd >= 0 ? ::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0)
                     : ::lsetxattr(path.c_str(), key.c_str(), value.data(), value.size(), 0);
    if (rc == 0) return {};
    if (key.starts_with("security.") && (errno == EPERM || errno == EOPNOTSUPP)) {
        log::debug("xattr " + key + " not supported here; skipped");
        return {};
    }
    return sys_fail("set xattr " + key);
}

Result<void> Applier::set_xattrs_fd(const TarEntry& e, int fd) {
    for (const auto& [k, v] : e.xattrs) BERTH_TRYV(set_one_xattr(k, v, fd, {}));
    return {};
}

Result<void> Applier::set_xattrs_at(const TarEntry& e, const Placed& at) {
    for (const auto& [k, v] : e.xattrs) BERTH_TRYV(set_one_xattr(k, v, -1, proc_path_at(at.parent.get(), at.name)));
    return {};
}

Result<void> Applier::make_file(const TarEntry& e, Placed& at, ByteReader& body) {
    if (opts_.max_unpacked_bytes - unpacked_ < static_cast<std::uint64_t>(e.size))
        return fail("layer unpacks to more than the " + std::to_string(opts_.max_unpacked_bytes) + "-byte limit");
    unpacked_ += static_cast<std::uint64_t>(e.size);
    UniqueFd fd(::openat(at.parent.get(), at.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return sys_fail("create file");
    FdWriter out(fd.get());
    std::uint64_t copied = BERTH_TRY(copy_stream(body, out));
    if (copied != static_cast<std::uint64_t>(e.size)) return fail("short file data");
    BERTH_TRYV(set_owner_mode_fd(e, fd.get()));
    BERTH_TRYV(set_xattrs_fd(e, fd.get()));
    timespec times[2] = {e.mtime, e.mtime};
    if (::futimens(fd.get(), times) != 0) return sys_fail("set mtime");
    return {};
}

Result<void> Applier::make_dir(const TarEntry& e, int parent, const std::string& name) {
    if (::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) return sys_fail("mkdir");
    UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return sys_fail("open directory");
    BERTH_TRYV(set_owner_mode_fd(e, fd.get()));
    return set_xattrs_fd(e, fd.get());
}

Result<void> Applier::make_hardlink(const TarEntry& e, Placed& at) {
    auto target = BERTH_TRY(with_context(split_layer_path(e.link), "hard link target"));
    if (target.empty()) return fail("hard link to the layer root");
    UniqueFd tparent = BERTH_TRY(with_context(open_dir_beneath(root_, target, target.size() - 1, false),
                                              "hard link target \"" + e.link + "\""));
    // Flags 0: link the target itself even if it is a symlink, never what it names.
    if (::linkat(tparent.get(), target.back().c_str(), at.parent.get(), at.name.c_str(), 0) != 0)
        return sys_fail("hard link to \"" + e.link + "\" (it must be an earlier file of this layer)");
    return {};
}

Result<void> Applier::make_other(const TarEntry& e, Placed& at) {
    int parent = at.parent.get();
    const char* name = at.name.c_str();
    if (e.type == '2') {
        if (::symlinkat(e.link.c_str(), parent, name) != 0) return sys_fail("symlink");
        symlink_bytes_ += e.link.size();  // a symlink's st_size is its target's length
    } else {
        if ((e.type == '3' || e.type == '4') && opts_.refuse_devices)
            return fail("device nodes are not allowed here (rootless)");
        mode_t kind = e.type == '3' ? S_IFCHR : e.type == '4' ? S_IFBLK : S_IFIFO;
        if (::mknodat(parent, name, kind | 0600, makedev(e.devmajor, e.devminor)) != 0) return sys_fail("mknod");
    }
    if (::fchownat(parent, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("chown");
    // A symlink's mode is meaningless on Linux (and fchmodat would follow it).
    if (e.type != '2' && ::fchmodat(parent, name, e.mode & 07777, 0) != 0) return sys_fail("chmod");
    BERTH_TRYV(set_xattrs_at(e, at));
    return set_times_at(parent, at.name, e.mtime);
}

Result<void> Applier::apply_whiteout(const TarEntry& e, Placed& at, std::string_view hidden) {
    if (at.name == whiteout::kOpaqueMarker) {
        UniqueFd dir(::openat(at.parent.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) return sys_fail("open directory");
        if (::fsetxattr(dir.get(), whiteout::kOpaqueXattr.data(), "y", 1, 0) != 0)
            return sys_fail("mark directory opaque (" + std::string(whiteout::kOpaqueXattr) + ")");
        return {};
    }
    // Other ".wh..wh.*" names are AUFS's own bookkeeping (.wh..wh.plnk, .wh..wh.aufs).
    if (hidden.starts_with(whiteout::kPrefix)) return {};
    if (hidden.empty() || hidden == "." || hidden == "..") return fail("malformed whiteout name");
    std::string name(hidden);
    BERTH_TRYV(remove_all_at(at.parent.get(), name));
    // overlayfs.rst: "a whiteout is created as a character device with 0/0 device number".
    if (::mknodat(at.parent.get(), name.c_str(), S_IFCHR, makedev(0, 0)) != 0) return sys_fail("make whiteout");
    if (::fchownat(at.parent.get(), name.c_str(), e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return sys_fail("chown whiteout");
    return {};
}

Result<void> Applier::apply(const TarEntry& e, ByteReader& body) {
    if (++entries_ > opts_.max_entries)
        return fail("layer has more than the " + std::to_string(opts_.max_entries) + "-entry limit");
    auto parts = BERTH_TRY(split_layer_path(e.path));
    if (parts.empty()) {  // "./": the layer root itself
        if (e.type != '5') return fail("the layer root must be a directory");
        BERTH_TRYV(make_dir(e, root_, "."));
        dir_times_.emplace_back(parts, e.mtime);
        return {};
    }
    Placed at{BERTH_TRY(open_dir_beneath(root_, parts, parts.size() - 1, true)), parts.back()};
    if (at.name.starts_with(whiteout::kPrefix))
        return apply_whiteout(e, at, std::string_view(at.name).substr(whiteout::kPrefix.size()));
    // A later entry replaces an earlier one of the same name, except that a
    // directory over a directory merges (tar semantics; Docker does the same).
    if (!(e.type == '5' && is_dir_at(at.parent.get(), at.name))) BERTH_TRYV(remove_all_at(at.parent.get(), at.name));
    switch (e.type) {
    case '0': return make_file(e, at, body);
    case '5':
        BERTH_TRYV(make_dir(e, at.parent.get(), at.name));
        dir_times_.emplace_back(std::move(parts), e.mtime);
        return {};
    case '1': return make_hardlink(e, at);
    default: return make_other(e, at);
    }
}

Result<void> Applier::finish_dir_times() {
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
        const auto& parts = it->first;
        if (parts.empty()) {
            BERTH_TRYV_CTX(set_times_at(root_, ".", it->second), "layer root");
            continue;
        }
        auto parent = open_dir_beneath(root_, parts, parts.size() - 1, false);
        // A directory a later entry replaced has nothing left to stamp.
        if (!parent || !is_dir_at(parent->get(), parts.back())) continue;
        BERTH_TRYV_CTX(set_times_at(parent->get(), parts.back(), it->second), "directory \"" + parts.back() + "\"");
    }
    return {};
}

}  // namespace

Result<AppliedLayer> apply_layer(ByteReader& layer, int dest_dirfd, const ApplyOptions& opts) {
    auto tar_stream = BERTH_TRY(open_decompressed(layer));
    HashingReader hashed(*tar_stream);
    TarReader reader(hashed);
    Applier applier(dest_dirfd, opts);
    for (;;) {
        auto entry = BERTH_TRY(reader.next());
        if (!entry) break;
        BERTH_TRYV_CTX(applier.apply(*entry, reader.body()), "layer entry \"" + entry->path + "\"");
    }
    // Tar writers pad archives to a record size (GNU tar: 10240 bytes); the diff_id
    // is over all of it.
    char sink[1 << 14];
    while (BERTH_TRY(hashed.read(sink, sizeof sink)) > 0) {
    }
    BERTH_TRYV(applier.finish_dir_times());
    return AppliedLayer{hashed.finish(), applier.unpacked(), applier.disk_size()};
}

}  // namespace berth::image

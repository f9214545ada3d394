#include "base/file.hpp"
#include "image/layer_diff.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/scope_exit.hpp"
#include "base/unique_fd.hpp"
#include "image/hashing_stream.hpp"
#include "image/layer_path.hpp"
#include "image/tar_writer.hpp"
#include "image/whiteout.hpp"

namespace berth::image {

namespace {

// All xattrs of `name` in `dir_fd` (not following a symlink), overlayfs's own left out.
Result<std::map<std::string, std::string>> read_xattrs(int dir_fd, const std::string& name) {
    std::string path = proc_path_at(dir_fd, name);
    std::map<std::string, std::string> out;
    ssize_t len = ::llistxattr(path.c_str(), nullptr, 0);
    if (len < 0) {
        if (errno == EOPNOTSUPP) return out;
        return sys_fail("list xattrs");
    }
    std::string keys(static_cast<std::size_t>(len), '\0');
    len = ::llistxattr(path.c_str(), keys.data(), keys.size());
    if (len < 0) return sys_fail("list xattrs");
    keys.resize(static_cast<std::size_t>(len));
    for (std::size_t pos = 0; pos < keys.size();) {
        std::string key = keys.c_str() + pos;
        pos += key.size() + 1;
        if (key.starts_with(whiteout::kOverlayXattrPrefix)) continue;
        ssize_t vlen = ::lgetxattr(path.c_str(), key.c_str(), nullptr, 0);
        if (vlen < 0) return sys_fail("read xattr " + key);
        std::string value(static_cast<std::size_t>(vlen), '\0');
        vlen = ::lgetxattr(path.c_str(), key.c_str(), value.data(), value.size());
        if (vlen < 0) return sys_fail("read xattr " + key);
        value.resize(static_cast<std::size_t>(vlen));
        out[key] = std::move(value);
    }
    return out;
}

bool is_opaque(int dir_fd) {
    char v[4];
    ssize_t n = ::fgetxattr(dir_fd, whiteout::kOpaqueXattr.data(), v, sizeof v);
    return n == 1 && v[0] == 'y';
}

class TreeWriter {
  public:
    TreeWriter(ByteWriter& out, bool translate_whiteouts) : tar_(out), overlay_(translate_whiteouts) {}

    Result<void> write_dir_contents(int dir_fd, const std::string& prefix);
    Result<void> finish() { return tar_.finish(); }

    Result<void> write_one(int dir_fd, const std::string& name, const std::string& path);

  private:
    TarWriter tar_;
    bool overlay_;
    std::map<std::pair<dev_t, ino_t>, std::string> seen_inodes_;  // for hard links
};

TarEntry entry_from_stat(const std::string& path, const struct stat& st) {
    TarEntry e;
    e.path = path;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime.tv_sec = st.st_mtim.tv_sec;  // whole seconds: see the header
    return e;
}

Result<void> TreeWriter::write_one(int dir_fd, const std::string& name, const std::string& path) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("stat");
    TarEntry e = entry_from_stat(path, st);
    if (S_ISSOCK(st.st_mode)) return {};
    if (overlay_ && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
        auto slash = path.rfind('/');
        e.path = path.substr(0, slash + 1) + std::string(whiteout::kPrefix) + name;
        e.type = '0';
        return tar_.add(e, nullptr);
    }
    e.xattrs = BERTH_TRY(read_xattrs(dir_fd, name));
    if (S_ISDIR(st.st_mode)) {
        UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) return sys_fail("open directory");
        e.type = '5';
        BERTH_TRYV(tar_.add(e, nullptr));
        if (overlay_ && is_opaque(child.get())) {
            TarEntry marker = entry_from_stat(path + "/" + std::string(whiteout::kOpaqueMarker), st);
            BERTH_TRYV(tar_.add(marker, nullptr));
        }
        return write_dir_contents(child.get(), path + "/");
    }
    if (S_ISREG(st.st_mode)) {
        if (st.st_nlink > 1) {
            auto [it, first] = seen_inodes_.try_emplace({st.st_dev, st.st_ino}, path);
            if (!first) {
                e.type = '1';
                e.link = it->second;
                return tar_.add(e, nullptr);
            }
        }
        UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) return sys_fail("open");
        e.type = '0';
        e.size = st.st_size;
        FdReader body(fd.get());
        return tar_.add(e, &body);
    }
    if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
        ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
        if (n < 0) return sys_fail("readlink");
        target.resize(static_cast<std::size_t>(n));
        e.type = '2';
        e.link = std::move(target);
        return tar_.add(e, nullptr);
    }
    e.type = S_ISCHR(st.st_mode) ? '3' : S_ISBLK(st.st_mode) ? '4' : '6';
    e.devmajor = major(st.st_rdev);
    e.devminor = minor(st.st_rdev);
    if (e.type == '6') e.devmajor = e.devminor = 0;
    return tar_.add(e, nullptr);
}

Result<void> TreeWriter::write_dir_contents(int dir_fd, const std::string& prefix) {
    auto names = BERTH_TRY(with_context(sorted_dir_names(dir_fd), "\"" + (prefix.empty() ? "." : prefix) + "\""));
    for (const auto& name : names) BERTH_TRYV_CTX(write_one(dir_fd, name, prefix + name), "\"" + prefix + name + "\"");
    return {};
}

}  // namespace

Result<Digest> write_layer_diff(int upper_dirfd, ByteWriter& out) {
    HashingWriter hashed(out);
    TreeWriter writer(hashed, true);
    BERTH_TRYV_CTX(writer.write_dir_contents(upper_dirfd, ""), "write layer diff");
    BERTH_TRYV_CTX(writer.finish(), "write layer diff");
    return hashed.finish();
}

Result<void> write_tree_tar(int dirfd, ByteWriter& out) {
    TreeWriter writer(out, false);
    BERTH_TRYV_CTX(writer.write_dir_contents(dirfd, ""), "write tree tar");
    return writer.finish();
}

}  // namespace berth::image

namespace berth::image {

Result<void> write_entry_tar(int dirfd, const std::string& name, const std::string& archive_path,
                             ByteWriter& out) {
    TreeWriter writer(out, false);
    BERTH_TRYV_CTX(writer.write_one(dirfd, name, archive_path), "write \"" + archive_path + "\"");
    return writer.finish();
}

}  // namespace berth::image

// "tmpcopyup" (a runc/crun extension to tmpfs mounts): the new tmpfs starts with a
// copy of the directory it covers, so e.g. a tmpfs on /etc keeps the image's files.
// The covered directory is still reachable through the fd opened before mounting.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "base/file.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::runtime {
namespace {

Result<UniqueFd> reopen(int dir_fd, const char* name, int flags) {
    int fd = ::openat(dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys_fail(std::string("open ") + name);
    return UniqueFd(fd);
}

Result<void> copy_file(int from_dir, int to_dir, const std::string& name, const struct stat& st) {
    auto in = BERTH_TRY(reopen(from_dir, name.c_str(), O_RDONLY));
    int out_fd = ::openat(to_dir, name.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
    if (out_fd < 0) return sys_fail("create " + name);
    UniqueFd out(out_fd);
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(in.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_fail("read " + name);
        }
        if (n == 0) break;
        BERTH_TRYV_CTX(write_all(out.get(), std::string_view(buf, static_cast<size_t>(n))), name);
    }
    return {};
}

Result<void> copy_entry(int from_dir, int to_dir, const std::string& name);

Result<void> copy_tree(int from_dir, int to_dir) {
    auto listing = BERTH_TRY(reopen(from_dir, ".", O_RDONLY | O_DIRECTORY));
    DIR* d = ::fdopendir(listing.release());
    if (!d) return sys_fail("opendir");
    Result<void> r;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        r = with_context(copy_entry(from_dir, to_dir, name), name);
        if (!r) break;
    }
    ::closedir(d);
    return r;
}

Result<void> copy_entry(int from_dir, int to_dir, const std::string& name) {
    struct stat st {};
    if (::fstatat(from_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("stat");
    if (S_ISDIR(st.st_mode)) {
        if (::mkdirat(to_dir, name.c_str(), st.st_mode & 07777) != 0) return sys_fail("mkdir");
        auto from = BERTH_TRY(reopen(from_dir, name.c_str(), O_PATH | O_DIRECTORY));
        auto to = BERTH_TRY(reopen(to_dir, name.c_str(), O_PATH | O_DIRECTORY));
        BERTH_TRYV(copy_tree(from.get(), to.get()));
    } else if (S_ISLNK(st.st_mode)) {
        std::string target(4096, '\0');
        ssize_t n = ::readlinkat(from_dir, name.c_str(), target.data(), target.size());
        if (n < 0) return sys_fail("readlink");
        target.resize(static_cast<size_t>(n));
        if (::symlinkat(target.c_str(), to_dir, name.c_str()) != 0) return sys_fail("symlink");
    } else if (S_ISREG(st.st_mode)) {
        BERTH_TRYV(copy_file(from_dir, to_dir, name, st));
    } else if (::mknodat(to_dir, name.c_str(), st.st_mode, st.st_rdev) != 0) {
        return sys_fail("mknod");
    }
    if (::fchownat(to_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
        return sys_fail("chown");
    if (!S_ISLNK(st.st_mode) && ::fchmodat(to_dir, name.c_str(), st.st_mode & 07777, 0) != 0)
        return sys_fail("chmod");
    return {};
}

}  // namespace

Result<void> copy_up_into(int from_dir_fd, int to_dir_fd) {
    return copy_tree(from_dir_fd, to_dir_fd);
}

}  // namespace berth::runtime

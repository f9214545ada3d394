#include "engine/container_extract.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "base/text.hpp"
#include "base/unique_fd.hpp"
#include "image/decompress.hpp"
#include "image/layer_path.hpp"
#include "image/tar_reader.hpp"
#include "runtime/safe_path.hpp"

namespace berth::engine {

namespace {

using image::TarEntry;

// The entry's path beneath the destination, cleaned; nullopt when ".." climbs out.
std::optional<std::vector<std::string>> entry_parts(std::string_view path) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        std::string c(path.substr(pos, end - pos));
        pos = end + 1;
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (parts.empty()) return std::nullopt;
            parts.pop_back();
            continue;
        }
        parts.push_back(std::move(c));
    }
    return parts;
}

std::string join_under(const std::string& dest, const std::vector<std::string>& parts, size_t count) {
    std::string out = dest == "/" ? "" : dest;
    for (size_t i = 0; i < count; ++i) out += "/" + parts[i];
    return out.empty() ? "/" : out;
}

std::string self_fd(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

class Extractor {
  public:
    Extractor(int root_fd, std::string dest, const ExtractOptions& opts)
        : root_(root_fd), dest_(std::move(dest)), opts_(opts) {}
    Result<void> apply(const TarEntry& e, ByteReader& body);
    Result<void> finish_dir_times();

  private:
    Result<void> make(const TarEntry& e, int parent, const std::string& name, const std::string& path,
                      ByteReader& body);
    Result<void> make_hardlink(const TarEntry& e, int parent, const std::string& name);
    Result<void> set_metadata(const TarEntry& e, int parent, const std::string& name, const std::string& path);

    int root_;
    std::string dest_;
    const ExtractOptions& opts_;
    std::vector<std::pair<std::string, timespec>> dir_times_;
};

Result<void> Extractor::apply(const TarEntry& e, ByteReader& body) {
    auto parts = entry_parts(e.path);
    if (!parts) return fail_as(ErrorKind::invalid_argument, cat("\"", e.path, "\" is outside of \"", dest_, "\""));
    if (parts->empty()) return {};  // "./": the destination itself stays as it is
    std::string path = join_under(dest_, *parts, parts->size());
    const std::string& name = parts->back();
    // Missing parents are made, as docker's untar makes them; symlinks on the way
    // resolve inside the root.
    auto parent = BERTH_TRY(runtime::create_in_root(root_, join_under(dest_, *parts, parts->size() - 1),
                                                    runtime::Create::directory));
    struct stat st;
    bool exists = ::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    bool want_dir = e.type == '5';
    if (exists) {
        bool is_dir = S_ISDIR(st.st_mode);
        if (opts_.no_overwrite_dir_non_dir && is_dir && !want_dir)
            return fail_as(ErrorKind::invalid_argument,
                           cat("cannot overwrite directory \"", path, "\" with non-directory \"", path, "\""));
        if (opts_.no_overwrite_dir_non_dir && !is_dir && want_dir)
            return fail_as(ErrorKind::invalid_argument,
                           cat("cannot overwrite non-directory \"", path, "\" with directory \"", path, "\""));
        // A directory over a directory merges (tar semantics); anything else replaces.
        if (!(is_dir && want_dir)) BERTH_TRYV(image::remove_all_at(parent.get(), name));
    }
    return make(e, parent.get(), name, path, body);
}

Result<void> Extractor::make(const TarEntry& e, int parent, const std::string& name, const std::string& path,
                             ByteReader& body) {
    const char* n = name.c_str();
    switch (e.type) {
        case '0': {
            UniqueFd fd(::openat(parent, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!fd) return sys_fail("create " + path);
            FdWriter out(fd.get());
            auto copied = BERTH_TRY(copy_stream(body, out));
            if (copied != static_cast<std::uint64_t>(e.size)) return fail("short file data for " + path);
            break;
        }
        case '5':
            if (::mkdirat(parent, n, 0700) != 0 && errno != EEXIST) return sys_fail("mkdir " + path);
            dir_times_.emplace_back(path, e.mtime);
            break;
        case '2':
            // Kept as written: every later lookup through it resolves inside the root.
            if (::symlinkat(e.link.c_str(), parent, n) != 0) return sys_fail("symlink " + path);
            break;
        case '1': return make_hardlink(e, parent, name);
        case '3':
        case '4':
        case '6': {
            mode_t kind = e.type == '3' ? S_IFCHR : e.type == '4' ? S_IFBLK : S_IFIFO;
            if (::mknodat(parent, n, kind | 0600, makedev(e.devmajor, e.devminor)) != 0)
                return sys_fail("mknod " + path);
            break;
        }
        default: return fail(cat("unsupported tar entry type '", std::string(1, e.type), "' for ", path));
    }
    return set_metadata(e, parent, name, path);
}

Result<void> Extractor::make_hardlink(const TarEntry& e, int parent, const std::string& name) {
    auto target = entry_parts(e.link);
    if (!target || target->empty())
        return fail_as(ErrorKind::invalid_argument, cat("invalid hardlink \"", e.link, "\" in \"", e.path, "\""));
    auto tdir = BERTH_TRY(runtime::open_in_root(root_, join_under(dest_, *target, target->size() - 1),
                                                O_PATH | O_DIRECTORY));
    // Flags 0: the link names the target entry itself, never what a symlink points at.
    if (::linkat(tdir.get(), target->back().c_str(), parent, name.c_str(), 0) != 0)
        return sys_fail(cat("hard link ", e.path, " to ", e.link));
    return {};
}

// Owner, mode, xattrs and mtime, all through an fd on the entry just made: a
// process of a running container swapping it for a symlink can't redirect them.
Result<void> Extractor::set_metadata(const TarEntry& e, int parent, const std::string& name, const std::string& path) {
    UniqueFd fd(::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return sys_fail("open " + path);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return sys_fail("stat " + path);
    bool link = S_ISLNK(st.st_mode);
    if (link != (e.type == '2')) return fail(cat(path, " changed while it was being extracted"));
    uid_t uid = opts_.owner ? opts_.owner->uid : e.uid;
    gid_t gid = opts_.owner ? opts_.owner->gid : e.gid;
    if (::fchownat(fd.get(), "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return sys_fail("chown " + path);
    if (link) return {};  // a symlink's mode and times mean nothing to Linux
    auto proc = self_fd(fd.get());
    // After the chown, which clears setuid bits.
    if (::chmod(proc.c_str(), e.mode & 07777) != 0) return sys_fail("chmod " + path);
    for (const auto& [k, v] : e.xattrs) {
        if (::setxattr(proc.c_str(), k.c_str(), v.data(), v.size(), 0) != 0)
            log::debug(cat("extract ", path, ": xattr ", k, " not set: ", std::strerror(errno)));
    }
    if (e.type == '5') return {};  // its mtime once nothing more is made in it
    timespec times[2] = {e.mtime, e.mtime};
    if (::utimensat(AT_FDCWD, proc.c_str(), times, 0) != 0) return sys_fail("set mtime of " + path);
    return {};
}

Result<void> Extractor::finish_dir_times() {
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
        auto fd = runtime::open_in_root(root_, it->first, O_PATH | O_DIRECTORY | O_NOFOLLOW);
        if (!fd) continue;  // replaced by a later entry
        timespec times[2] = {it->second, it->second};
        if (::utimensat(AT_FDCWD, self_fd(fd->get()).c_str(), times, 0) != 0)
            return sys_fail("set mtime of " + it->first);
    }
    return {};
}

}  // namespace

Result<void> extract_in_root(ByteReader& archive, int root_fd, const std::string& dest, const ExtractOptions& opts) {
    auto tar_stream = BERTH_TRY(image::open_decompressed(archive));
    image::TarReader reader(*tar_stream);
    Extractor x(root_fd, dest, opts);
    for (;;) {
        auto entry = BERTH_TRY(reader.next());
        if (!entry) break;
        BERTH_TRYV_CTX(x.apply(*entry, reader.body()), "extract \"" + entry->path + "\"");
    }
    return x.finish_dir_times();
}

}  // namespace berth::engine

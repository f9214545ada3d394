#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace berth {

Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) return sys_fail("open " + path);
    return UniqueFd(fd);
}

Result<std::string> read_fd(int fd) {
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_fail("read");
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

Result<std::string> read_file(const std::string& path) {
    auto fd = BERTH_TRY(open_fd(path, O_RDONLY));
    return with_context(read_fd(fd.get()), path);
}

Result<void> write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_fail("write");
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

Result<void> write_existing(const std::string& path, std::string_view data) {
    auto fd = BERTH_TRY(open_fd(path, O_WRONLY));
    // A single write: kernel interfaces parse one write as one value.
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) return sys_fail("write " + path);
    if (static_cast<size_t>(n) != data.size()) return fail("write " + path + ": short write");
    return {};
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode,
                               Durability d) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        auto fd = BERTH_TRY(open_fd(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode));
        auto w = write_all(fd.get(), data);
        if (!w || (d == Durability::durable && ::fsync(fd.get()) != 0)) {
            ::unlink(tmp.c_str());
            if (!w) return std::unexpected(std::move(w.error()).context("write " + tmp));
            return sys_fail("fsync " + tmp);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        auto err = sys_fail("rename " + tmp + " to " + path);
        ::unlink(tmp.c_str());
        return err;
    }
    return {};
}

Result<void> mkdir_p(const std::string& path, mode_t mode) {
    if (path.empty()) return {};
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        std::string part = path.substr(0, pos);
        if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST) return sys_fail("mkdir " + part);
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return sys_fail("stat " + path);
    if (!S_ISDIR(st.st_mode)) return fail("mkdir " + path + ": exists and is not a directory");
    return {};
}

bool path_exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

std::string path_join(std::string_view a, std::string_view b) {
    std::string out(a);
    while (!b.empty() && b.front() == '/') b.remove_prefix(1);
    if (out.empty() || out.back() != '/') out += '/';
    out += b;
    return out;
}

Result<std::vector<std::string>> sorted_dir_names(int dir_fd) {
    int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_fail("open directory");
    DIR* d = ::fdopendir(fd);
    if (!d) {
        UniqueFd owned(fd);  // fdopendir failed: the fd is still ours to close
        return sys_fail("opendir");
    }
    std::unique_ptr<DIR, int (*)(DIR*)> dir(d, ::closedir);
    std::vector<std::string> names;
    errno = 0;
    while (dirent* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
    }
    if (errno != 0) return sys_fail("readdir");
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> path_components(std::string_view path) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        std::string_view c = path.substr(pos, end - pos);
        if (!c.empty() && c != ".") out.emplace_back(c);
        pos = end + 1;
    }
    return out;
}

std::int64_t directory_size(const std::string& dir) {
    std::error_code ec;
    std::int64_t total = 0;
    namespace fs = std::filesystem;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        std::error_code stat_ec;
        auto st = it->symlink_status(stat_ec);
        if (!stat_ec && fs::is_regular_file(st)) {
            auto n = it->file_size(stat_ec);
            if (!stat_ec) total += static_cast<std::int64_t>(n);
        }
    }
    return total;
}

}  // namespace berth

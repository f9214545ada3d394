// berth cp: files between a container and the local filesystem as tar streams
// (GET / PUT /containers/{id}/archive), with docker's naming rules: into an
// existing directory the source keeps its name, else it takes the destination's;
// "-" is a tar archive on stdin or stdout.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base64.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli/berth/command.hpp"
#include "image/tar_reader.hpp"
#include "image/tar_writer.hpp"

namespace berth::cli {
namespace {

struct CpArg {
    std::string container;  // "" for a local path
    std::string path;
};

// docker's splitCpArg: a local path when absolute or starting with '.', or without ':'.
CpArg split_cp_arg(const std::string& arg) {
    if (arg.starts_with("/") || arg.starts_with(".")) return {"", arg};
    size_t colon = arg.find(':');
    if (colon == std::string::npos) return {"", arg};
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string base_name(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dir_name(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string archive_path(const std::string& container) {
    return "/containers/" + path_escape(container) + "/archive";
}

// The stat the daemon puts in X-Docker-Container-Path-Stat, or nullopt for a
// path that does not exist (404).
Result<std::optional<Json>> stat_in_container(ApiClient& api, const std::string& container,
                                              const std::string& path) {
    auto resp = api.call("HEAD", archive_path(container), {{"path", path}});
    if (!resp) {
        // A HEAD answer has no body to tell a missing path from a missing container;
        // the PUT that follows names the latter.
        if (resp.error().kind == ErrorKind::not_found) return std::optional<Json>();
        return std::unexpected(std::move(resp.error()));
    }
    auto header = resp->headers.get("X-Docker-Container-Path-Stat");
    if (!header) return std::optional<Json>(Json::object());
    auto decoded = base64_decode(*header);
    if (!decoded) return fail("bad X-Docker-Container-Path-Stat header");
    return std::optional<Json>(BERTH_TRY(parse_json(*decoded, "container path stat")));
}

bool is_dir_mode(const Json& stat) {
    // Go's os.FileMode: ModeDir is the top bit.
    return stat.is_object() &&
           (stat.value("mode", std::uint64_t{0}) & (std::uint64_t{1} << 31)) != 0;
}

// ---- local tree -> tar

Result<void> add_tree(image::TarWriter& tar, const std::string& local, const std::string& name,
                      bool follow) {
    struct stat st {};
    if ((follow ? ::stat(local.c_str(), &st) : ::lstat(local.c_str(), &st)) != 0)
        return sys_fail("lstat " + local);
    image::TarEntry e;
    e.path = name;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = st.st_mtim;
    if (S_ISREG(st.st_mode)) {
        e.type = '0';
        e.size = st.st_size;
        UniqueFd fd = BERTH_TRY(open_fd(local, O_RDONLY | O_CLOEXEC));
        FdReader body(fd.get());
        return tar.add(e, &body);
    }
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(local.c_str(), target, sizeof target);
        if (n < 0) return sys_fail("readlink " + local);
        e.type = '2';
        e.link.assign(target, static_cast<size_t>(n));
        return tar.add(e, nullptr);
    }
    if (!S_ISDIR(st.st_mode)) return fail("cp: unsupported file type of " + local);
    e.type = '5';
    BERTH_TRYV(tar.add(e, nullptr));
    DIR* dir = opendir(local.c_str());
    if (!dir) return sys_fail("opendir " + local);
    std::vector<std::string> names;
    while (dirent* d = readdir(dir)) {
        std::string n = d->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) BERTH_TRYV(add_tree(tar, local + "/" + n, name + "/" + n, false));
    return {};
}

Result<void> copy_to_container(Session& session, const std::string& src, const CpArg& dst,
                               bool follow) {
    ApiClient* api = BERTH_TRY(session.api());
    http::HeaderList headers = {{"Content-Type", "application/x-tar"}};
    if (src == "-") {
        FdReader in(session.io().in);
        BERTH_TRY(api->call_streamed("PUT", archive_path(dst.container),
                                     {{"path", dst.path}, {"noOverwriteDirNonDir", "true"}}, in,
                                     headers));
        return {};
    }
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0) return sys_fail("lstat " + src);
    auto dest_stat = BERTH_TRY(stat_in_container(*api, dst.container, dst.path));
    std::string dir = dst.path, name = base_name(src);
    bool into_dir = dest_stat && is_dir_mode(*dest_stat);
    if (!into_dir) {
        if (dst.path.ends_with("/"))
            return fail("destination \"" + dst.container + ":" + dst.path +
                        "\" must be a directory");
        if (dest_stat && S_ISDIR(st.st_mode)) return fail("cannot copy a directory to a file");
        dir = dir_name(dst.path);
        name = base_name(dst.path);
    }
    StringWriter archive;
    image::TarWriter tar(archive);
    BERTH_TRYV(add_tree(tar, src, name, follow));
    BERTH_TRYV(tar.finish());
    StringReader body(archive.out);
    BERTH_TRY(api->call_streamed("PUT", archive_path(dst.container),
                                 {{"path", dir}, {"noOverwriteDirNonDir", "true"}}, body, headers));
    return {};
}

// ---- tar -> local tree

// The entry's path with its first component renamed (`from` -> `to`), refusing
// anything that climbs out of the destination.
Result<std::string> local_name(const std::string& path, const std::string& from,
                               const std::string& to) {
    std::string rel = path;
    while (rel.starts_with("./")) rel.erase(0, 2);
    for (const auto& part : split(rel, '/'))
        if (part == "..") return fail("cp: refusing archive path with \"..\": " + path);
    if (!from.empty() && (rel == from || rel.starts_with(from + "/")))
        rel = to + rel.substr(from.size());
    return rel;
}

Result<void> extract_entry(image::TarReader& tar, const image::TarEntry& e,
                           const std::string& target, const std::string& root) {
    switch (e.type) {
        case '5':
            if (::mkdir(target.c_str(), e.mode) != 0 && errno != EEXIST)
                return sys_fail("mkdir " + target);
            (void)::chmod(target.c_str(), e.mode);
            return {};
        case '2':
            (void)::unlink(target.c_str());
            if (::symlink(e.link.c_str(), target.c_str()) != 0)
                return sys_fail("symlink " + target);
            return {};
        case '1': {
            (void)::unlink(target.c_str());
            std::string from = root + "/" + e.link;
            if (::link(from.c_str(), target.c_str()) != 0) return sys_fail("link " + target);
            return {};
        }
        case '0': {
            UniqueFd fd =
                BERTH_TRY(open_fd(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, e.mode));
            FdWriter out(fd.get());
            char buf[64 * 1024];
            for (;;) {
                size_t n = BERTH_TRY(tar.body().read(buf, sizeof buf));
                if (n == 0) break;
                BERTH_TRYV(out.write(std::string_view(buf, n)));
            }
            if (::fchmod(fd.get(), e.mode) != 0) return sys_fail("chmod " + target);
            timespec times[2] = {e.mtime, e.mtime};
            (void)::futimens(fd.get(),
                             times);  // as docker: mtimes kept where the filesystem lets us
            return {};
        }
        default:
            return {};  // devices and fifos need privileges docker cp does not assume either
    }
}

Result<void> copy_from_container(Session& session, const CpArg& src, const std::string& dst) {
    ApiClient* api = BERTH_TRY(session.api());
    auto resp = BERTH_TRY(api->call("GET", archive_path(src.container), {{"path", src.path}}));
    if (dst == "-") {
        FdWriter out(session.io().out);
        char buf[64 * 1024];
        for (;;) {
            size_t n = BERTH_TRY(resp.body().read(buf, sizeof buf));
            if (n == 0) return {};
            BERTH_TRYV(out.write(std::string_view(buf, n)));
        }
    }
    struct stat st {};
    bool exists = ::stat(dst.c_str(), &st) == 0;
    std::string root = dst, from, to;
    if (!exists || !S_ISDIR(st.st_mode)) {
        if (dst.ends_with("/")) return fail("destination directory \"" + dst + "\" must exist");
        root = dir_name(dst);
        from = base_name(src.path);
        to = base_name(dst);
        if (!path_exists(root)) return fail("lstat " + root + ": no such file or directory");
    }
    image::TarReader tar(resp.body());
    while (auto entry = BERTH_TRY(tar.next())) {
        std::string rel = BERTH_TRY(local_name(entry->path, from, to));
        if (rel.empty()) continue;
        if (exists && !S_ISDIR(st.st_mode) && entry->type == '5' && rel == to)
            return fail("cannot overwrite non-directory \"" + dst + "\" with directory");
        BERTH_TRYV(extract_entry(tar, *entry, root + "/" + rel, root));
    }
    return {};
}

Result<void> run_cp(Session& session, const ParsedFlags& f) {
    CpArg src = split_cp_arg(f.args[0]), dst = split_cp_arg(f.args[1]);
    if (!src.container.empty() && !dst.container.empty())
        return fail("copying between containers is not supported");
    if (src.container.empty() && dst.container.empty())
        return fail("must specify at least one container source");
    if (!src.container.empty()) {
        if (src.path.empty()) return fail("filepath cannot be empty");
        return copy_from_container(session, src, dst.path);
    }
    if (dst.path.empty()) return fail("filepath cannot be empty");
    return copy_to_container(session, src.path, dst, f.enabled("follow-link"));
}

}  // namespace

Command cp_command() {
    return {
        .path = "container cp",
        .aliases = {"cp"},
        .usage =
            "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- "
            "CONTAINER:DEST_PATH",
        .description = "Copy files/folders between a container and the local filesystem",
        .flags =
            {
                {.long_name = "archive",
                 .short_name = 'a',
                 .help = "Archive mode (copy all uid/gid information)"},
                {.long_name = "follow-link",
                 .short_name = 'L',
                 .help = "Always follow symbol link in SRC_PATH"},
            },
        .min_args = 2,
        .max_args = 2,
        .run = run_cp,
    };
}

}  // namespace berth::cli

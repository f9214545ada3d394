// Helpers for the image layer tests: a temporary directory, a shell for the
// reference tools (GNU tar, gzip, zstd, python3), and stat/xattr probes written
// with plain syscalls so they check berth's code rather than reuse it.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "base/process.hpp"
#include "base/unique_fd.hpp"

namespace berth::image::test {

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/berth-layer-XXXXXX";
        path_ = ::mkdtemp(tmpl) ? tmpl : "";
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }
    // A fresh subdirectory and an fd on it.
    UniqueFd make_dir(const std::string& rel) const {
        ::mkdir((path_ + "/" + rel).c_str(), 0755);
        return UniqueFd(::open((path_ + "/" + rel).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }

  private:
    std::string path_;
};

// Runs `script` with /bin/sh; the result says how it ended and what it printed.
inline ProgramResult sh(const std::string& script) {
    ProgramSpec spec;
    spec.path = "/bin/sh";
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/root/.pyenv/shims:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/root", "LC_ALL=C"};
    spec.output_limit = 1 << 20;
    spec.timeout = std::chrono::seconds(60);
    auto r = run_program(spec);
    if (!r) return ProgramResult{ProgramResult::End::exited, 127, "", r.error().message};
    return *r;
}

inline std::optional<struct stat> lstat_of(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
    return st;
}

// An xattr's value, or nullopt when absent.
inline std::optional<std::string> xattr_of(const std::string& path, const std::string& key) {
    char buf[4096];
    ssize_t n = ::lgetxattr(path.c_str(), key.c_str(), buf, sizeof buf);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
}

}  // namespace berth::image::test

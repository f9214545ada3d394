// Helpers for the image layer tests: a temporary directory, a shell for the
// reference tools (GNU tar, gzip, zstd, python3), and stat/xattr probes written
// with plain syscalls so they check berth's code rather than reuse it.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "base/process.hpp"
#include "base/unique_fd.hpp"
#include "image/tar_writer.hpp"
#include "test_support.hpp"

namespace berth::image::test {

using berth::test::read_text;

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

// Recomputes a hand-edited tar header's checksum (POSIX: the sum of the block's
// bytes, the checksum field counted as spaces), written independently of
// tar_format.hpp so tests do not check the reader against itself.
inline void reseal(char* block) {
    std::memset(block + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(block[i]);
    std::snprintf(block + 148, 8, "%06o", sum);
}

// Builds a layer tar in memory entry by entry (TarWriter is checked against GNU tar
// in tar_test.cpp, so it can be trusted to build inputs here).
class LayerTar {
  public:
    LayerTar& file(const std::string& path, std::string_view data, std::uint32_t mode = 0644) {
        ok_ &= bool(writer_.add_file(path, data, mode));
        return *this;
    }
    LayerTar& dir(const std::string& path, std::uint32_t mode = 0755) { return add(path, '5', "", mode); }
    LayerTar& symlink(const std::string& path, const std::string& target) { return add(path, '2', target); }
    LayerTar& hardlink(const std::string& path, const std::string& target) { return add(path, '1', target); }
    LayerTar& add(const std::string& path, char type, const std::string& link = "", std::uint32_t mode = 0644) {
        TarEntry e;
        e.path = path;
        e.type = type;
        e.link = link;
        e.mode = mode;
        return add(e);
    }
    LayerTar& add(const TarEntry& e) {
        ok_ &= bool(writer_.add(e, nullptr));
        return *this;
    }
    // The finished archive; empty if any entry could not be written.
    std::string done() {
        ok_ &= bool(writer_.finish());
        return ok_ ? out_.out : std::string();
    }

  private:
    StringWriter out_;
    TarWriter writer_{out_};
    bool ok_ = true;
};

}  // namespace berth::image::test

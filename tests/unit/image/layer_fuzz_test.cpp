// Seeded mutation fuzzing of apply_layer: thousands of damaged variants of a layer
// that is full of traps (symlinks out of the root, hard links, whiteouts, pax
// headers). Whatever the damage, apply_layer must return (value or error), never
// crash, never leak an fd, and never touch anything outside its destination.
#include "image/layer_apply.hpp"

#include <gtest/gtest.h>

#include <dirent.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "layer_fixture.hpp"

namespace berth::image {
namespace {

using test::reseal;
using test::LayerTar;
using test::TempDir;

constexpr std::size_t kBlock = 512;

std::string seed_layer(const std::string& outside) {
    TarEntry x;
    x.path = "etc/" + std::string(120, 'p') + "/with-xattr";
    x.type = '0';
    x.mode = 04755;
    x.mtime = {1600000000, 5};
    x.xattrs = {{"user.a", "b"}};
    return LayerTar()
        .dir("etc")
        .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        .symlink("out", outside)
        .symlink("rel", "../outside")
        .symlink("chain", "rel")
        .hardlink("etc/pw2", "etc/passwd")
        .file("etc/.wh.shadow", "")
        .dir("var/cache")
        .file("var/cache/.wh..wh..opq", "")
        .add(x)
        .add("dev/null", '3')
        .add("run/fifo", '6')
        .file("data", std::string(3000, 'd'))
        .done();
}

// Whether `block` is a tar header (non-empty, with a valid checksum).
bool is_header(const char* block) {
    char copy[kBlock];
    std::memcpy(copy, block, kBlock);
    reseal(copy);
    return std::memcmp(copy, block, kBlock) == 0 && block[0] != '\0';
}

// Mostly header-aware damage (resealed so it reaches the applier), some blind.
std::string mutate(std::string tar, std::mt19937& rng, const std::string& outside) {
    auto pick = [&](std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    static const std::string hostile[] = {"../", "/", "out/", "rel/", "chain/", "..", "/etc/passwd", "./.wh.",
                                          ".wh..wh..opq", "\xff\xfe", "9999999999 path=x\n", "out/x", outside + "/z"};
    std::vector<std::size_t> headers;
    for (std::size_t b = 0; b + kBlock <= tar.size(); b += kBlock)
        if (is_header(tar.data() + b)) headers.push_back(b);
    int rounds = 1 + static_cast<int>(pick(4));
    for (int i = 0; i < rounds && !tar.empty(); ++i) {
        std::size_t b = headers[pick(headers.size())];
        switch (pick(12)) {
        case 0: tar[pick(tar.size())] = static_cast<char>(pick(256)); break;  // raw byte, checksum breaks
        case 1:
        case 7: {  // a header field byte, resealed
            if (b + kBlock > tar.size()) break;
            tar[b + pick(kBlock)] = static_cast<char>(pick(256));
            reseal(tar.data() + b);
            break;
        }
        case 2:
        case 8:
        case 9:
        case 10: {  // a hostile string into the name or link field, resealed
            if (b + kBlock > tar.size()) break;
            const std::string& s = hostile[pick(std::size(hostile))];
            std::size_t at = (pick(2) ? 0 : 157) + pick(40);
            std::memcpy(tar.data() + b + at, s.data(), std::min<std::size_t>(s.size(), 60));
            reseal(tar.data() + b);
            break;
        }
        case 3:
        case 11: {  // a numeric field rewritten (size, mode, uid, mtime, typeflag)
            if (b + kBlock > tar.size()) break;
            static const std::size_t fields[] = {100, 108, 124, 136, 156, 329};
            std::size_t f = fields[pick(std::size(fields))];
            std::snprintf(tar.data() + b + f, 12, "%011o", static_cast<unsigned>(pick(1u << 31)));
            if (f == 156) tar[b + 156] = "0123456xgLK5S"[pick(13)];
            reseal(tar.data() + b);
            break;
        }
        case 4: tar.resize(pick(tar.size())); break;                                     // truncation
        case 5: tar.erase(pick(tar.size()), pick(700)); break;                           // a hole
        case 6: tar.insert(pick(tar.size()), tar.substr(pick(tar.size()), pick(1100))); break;  // a duplicate
        }
    }
    return tar;
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

TEST(LayerFuzz, MutatedLayersNeverCrashLeakOrEscape) {
    TempDir tmp;
    ASSERT_TRUE(mkdir_p(tmp / "outside"));
    ASSERT_TRUE(write_file_atomic(tmp / "outside/secret", "secret"));
    const std::string seed = seed_layer(tmp / "outside");
    ASSERT_FALSE(seed.empty());
    std::mt19937 rng(20261123);
    std::size_t fds = open_fd_count();
    ApplyOptions opts;
    opts.max_unpacked_bytes = 1 << 20;
    int applied = 0;
    for (int iter = 0; iter < 2000; ++iter) {
        std::string tar = mutate(seed, rng, tmp / "outside");
        UniqueFd dest = tmp.make_dir("dest");
        ASSERT_TRUE(dest.valid());
        StringReader in(tar);
        applied += apply_layer(in, dest.get(), opts).has_value();
        dest.reset();
        std::error_code ec;
        std::filesystem::remove_all(tmp / "dest", ec);
        ASSERT_FALSE(ec) << "iteration " << iter << ": cannot clean dest: " << ec.message();
        // Only "outside" (with its one file) and nothing else may exist beside dest.
        std::size_t entries = 0;
        for (auto& e : std::filesystem::recursive_directory_iterator(tmp.path())) {
            ++entries;
            ASSERT_TRUE(e.path() == tmp / "outside" || e.path() == tmp / "outside/secret")
                << "iteration " << iter << " wrote " << e.path();
        }
        ASSERT_EQ(entries, 2u) << "iteration " << iter;
        ASSERT_EQ(test::read_text(tmp / "outside/secret"), "secret") << "iteration " << iter;
    }
    EXPECT_EQ(open_fd_count(), fds) << "apply_layer leaked file descriptors";
    // The loop must reach the applier, not only the checksum check.
    EXPECT_GT(applied, 50) << "too few mutations applied: the fuzzer is not exercising the applier";
}

}  // namespace
}  // namespace berth::image

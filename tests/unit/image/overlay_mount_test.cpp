// mount_overlay for real (needs root): layers are built in a temporary directory,
// mounted, read through the merged view, and unmounted by OverlayMount even when
// an assertion fails half-way (the fixture detaches anything left as a last net).
#include "image/overlay_mount.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "image/overlay_mount_internal.hpp"
#include "test_support.hpp"

namespace berth::image {
namespace {

namespace fs = std::filesystem;
using test::read_text;

bool is_mount_root(const std::string& path) {
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0)
        return false;
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

class OverlayMountTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount overlays";
        char tmpl[] = "/tmp/berth-overlay-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
        root_ = tmpl;
    }
    void TearDown() override {
        if (root_.empty()) return;
        // Never recurse into a still-mounted overlay: that would delete through it.
        for (const auto& t : targets_) ::umount2(t.c_str(), MNT_DETACH);
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    // Creates root_/rel (and parents); its absolute path.
    std::string dir(const std::string& rel) {
        std::string p = root_ + "/" + rel;
        fs::create_directories(p);
        return p;
    }
    // An empty directory to mount on, remembered for the fixture's safety net.
    std::string target() {
        std::string t = dir("merged" + std::to_string(targets_.size()));
        targets_.push_back(t);
        return t;
    }
    static void write(const std::string& path, const std::string& text) {
        std::ofstream(path) << text;
    }
    // `n` layers under `parent`, layer i holding file "f<i>" and a shared "top"
    // file saying which layer wrote it last.
    std::vector<std::string> numbered_layers(const std::string& parent, size_t n) {
        std::vector<std::string> layers;
        for (size_t i = 0; i < n; ++i) {
            std::string l = dir(parent + "/" + std::to_string(i));
            write(l + "/f" + std::to_string(i), std::to_string(i));
            write(l + "/top", std::to_string(i));
            layers.push_back(l);
        }
        return layers;
    }
    // Checks every file of numbered_layers is visible and the last layer is on top.
    static void expect_numbered_view(const std::string& merged, size_t n) {
        for (size_t i = 0; i < n; ++i)
            ASSERT_EQ(read_text(merged + "/f" + std::to_string(i)), std::to_string(i))
                << "file of layer " << i << " missing from the merged view";
        EXPECT_EQ(read_text(merged + "/top"), std::to_string(n - 1))
            << "the last layer listed must be the top one";
    }
    // A directory path of about 100 characters under root_, to make option strings long.
    std::string long_parent() {
        std::string p = "layers";
        while (root_.size() + p.size() < 100) p += "/snapshots-of-a-deep-image";
        return p;
    }

    std::string root_;
    std::vector<std::string> targets_;
};

TEST_F(OverlayMountTest, LaterLayerShadowsEarlierOne) {
    auto base = dir("l0"), top = dir("l1");
    write(base + "/a", "base");
    write(base + "/only-base", "b");
    write(top + "/a", "top");
    auto m = mount_overlay({{base, top}, "", ""}, target());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(read_text(m->target() + "/a"), "top") << "lower_dirs are base first";
    EXPECT_EQ(read_text(m->target() + "/only-base"), "b");
}

TEST_F(OverlayMountTest, UpperShadowsLowersAndTakesWrites) {
    auto base = dir("l0"), top = dir("l1"), upper = dir("upper"), work = dir("work");
    write(base + "/a", "base");
    write(top + "/b", "top");
    write(upper + "/b", "upper");
    auto m = mount_overlay({{base, top}, upper, work}, target());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(read_text(m->target() + "/a"), "base");
    EXPECT_EQ(read_text(m->target() + "/b"), "upper");
    write(m->target() + "/new", "written");
    EXPECT_EQ(read_text(upper + "/new"), "written") << "writes must land in upper_dir";
    EXPECT_FALSE(fs::exists(top + "/new")) << "a lower layer was written to";
}

TEST_F(OverlayMountTest, WhiteoutInTopLowerHidesFile) {
    auto base = dir("l0"), top = dir("l1");
    write(base + "/gone", "x");
    write(base + "/kept", "y");
    ASSERT_EQ(::mknod((top + "/gone").c_str(), S_IFCHR | 0000, ::makedev(0, 0)), 0)
        << std::strerror(errno);
    auto m = mount_overlay({{base, top}, dir("upper"), dir("work")}, target());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_FALSE(fs::exists(m->target() + "/gone")) << "whiteout did not hide the file";
    EXPECT_EQ(read_text(m->target() + "/kept"), "y");
}

TEST_F(OverlayMountTest, OpaqueDirHidesLowerDirContents) {
    auto base = dir("l0"), top = dir("l1");
    dir("l0/etc");
    write(base + "/etc/old", "x");
    auto opaque = dir("l1/etc");
    write(opaque + "/new", "y");
    ASSERT_EQ(::setxattr(opaque.c_str(), "trusted.overlay.opaque", "y", 1, 0), 0)
        << std::strerror(errno);
    auto m = mount_overlay({{base, top}, dir("upper"), dir("work")}, target());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_FALSE(fs::exists(m->target() + "/etc/old")) << "opaque dir leaked the lower's file";
    EXPECT_EQ(read_text(m->target() + "/etc/new"), "y");
}

TEST_F(OverlayMountTest, DeepStackShowsEveryLayer) {
    const size_t n = 150;
    auto layers = numbered_layers(long_parent(), n);
    ASSERT_GT(overlay_internal::legacy_options(layers, "", "").size(),
              overlay_internal::kLegacyOptionsMax)
        << "test setup: the stack must not fit in one mount(2) option page";
    auto m = mount_overlay({layers, dir("upper"), dir("work")}, target());
    ASSERT_TRUE(m) << m.error().message;
    expect_numbered_view(m->target(), n);
}

TEST_F(OverlayMountTest, ReadOnlyOverlayWithoutUpper) {
    auto layers = numbered_layers("l", 3);
    auto m = mount_overlay({layers, "", ""}, target());
    ASSERT_TRUE(m) << m.error().message;
    expect_numbered_view(m->target(), 3);
    int fd = ::open((m->target() + "/new").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    int err = errno;
    if (fd >= 0) ::close(fd);
    EXPECT_LT(fd, 0) << "a read-only overlay accepted a new file";
    EXPECT_EQ(err, EROFS);
}

TEST_F(OverlayMountTest, LayerPathLongerThanFsconfigValueLimit) {
    std::string rel = "l";
    while (root_.size() + rel.size() < 300) rel += "/a-directory-name-of-forty-characters-xx";
    auto base = dir("base"), deep = dir(rel);
    write(deep + "/f", "deep");
    auto m = mount_overlay({{base, deep}, dir("upper"), dir("work")}, target());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(read_text(m->target() + "/f"), "deep");
}

TEST_F(OverlayMountTest, PathsWithColonCommaAndBackslash) {
    auto base = dir("base"), odd = dir("odd:la,yer\\x");
    write(odd + "/f", "odd");
    auto upper = dir("up:p,er\\"), work = dir("wo:rk");
    auto m = mount_overlay({{base, odd}, upper, work}, target());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(read_text(m->target() + "/f"), "odd");
    write(m->target() + "/w", "1");
    EXPECT_EQ(read_text(upper + "/w"), "1") << "upper_dir with special characters misparsed";
}

TEST_F(OverlayMountTest, LegacyMountsSmallStackWithOddPaths) {
    auto base = dir("base"), odd = dir("odd:la,yer\\x");
    write(base + "/a", "base");
    write(odd + "/a", "odd");
    auto upper = dir("up:p,er"), t = target();
    auto r = overlay_internal::mount_legacy({{base, odd}, upper, dir("work")}, t);
    ASSERT_TRUE(r) << r.error().message;
    OverlayMount m(t);
    EXPECT_EQ(read_text(t + "/a"), "odd");
    write(t + "/w", "1");
    EXPECT_EQ(read_text(upper + "/w"), "1");
}

TEST_F(OverlayMountTest, LegacyMountsDeepStackThroughFdPaths) {
    const size_t n = 150;
    auto layers = numbered_layers(long_parent(), n);
    auto t = target();
    auto r = overlay_internal::mount_legacy({layers, dir("upper"), dir("work")}, t);
    ASSERT_TRUE(r) << r.error().message;
    OverlayMount m(t);
    expect_numbered_view(t, n);
}

TEST_F(OverlayMountTest, LegacyRefusesStackTooDeepForOnePage) {
    const size_t n = 450;
    auto layers = numbered_layers(long_parent(), n);
    auto t = target();
    auto r = overlay_internal::mount_legacy({layers, dir("upper"), dir("work")}, t);
    ASSERT_FALSE(r) << "450 layers cannot fit in one page even as /proc/self/fd paths";
    EXPECT_NE(r.error().message.find("450 layers"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("4095"), std::string::npos) << r.error().message;
    EXPECT_FALSE(is_mount_root(t));
}

TEST_F(OverlayMountTest, MissingLayerIsNamedInError) {
    auto missing = root_ + "/snapshots/404";
    auto r = mount_overlay({{dir("l0"), missing}, "", ""}, target());
    ASSERT_FALSE(r) << "mounted over a missing layer";
    EXPECT_NE(r.error().message.find(missing), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().sys_errno, ENOENT) << r.error().message;
}

TEST_F(OverlayMountTest, RefusesMoreLowersThanOverlayfsStacks) {
    std::vector<std::string> layers(kMaxOverlayLowers + 1, root_);
    auto r = mount_overlay({layers, "", ""}, target());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(r.error().message.find("501 lower layers"), std::string::npos) << r.error().message;
}

TEST_F(OverlayMountTest, RefusesUpperWithoutWork) {
    auto r = mount_overlay({{dir("l0")}, dir("upper"), ""}, target());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("work_dir"), std::string::npos) << r.error().message;
}

TEST_F(OverlayMountTest, RefusesRelativeLayerPath) {
    auto r = mount_overlay({{dir("l0"), "snapshots/17"}, "", ""}, target());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("layer 2 of 2"), std::string::npos) << r.error().message;
}

TEST_F(OverlayMountTest, HandleUnmountsOnDestructionUnlessReleased) {
    auto t1 = target(), t2 = target();
    {
        auto m = mount_overlay({{dir("l0"), dir("l1")}, "", ""}, t1);
        ASSERT_TRUE(m) << m.error().message;
        ASSERT_TRUE(is_mount_root(t1));
        auto kept = mount_overlay({{dir("l0"), dir("l1")}, "", ""}, t2);
        ASSERT_TRUE(kept) << kept.error().message;
        kept->release();
    }
    EXPECT_FALSE(is_mount_root(t1)) << "destroying the handle left the overlay mounted";
    EXPECT_TRUE(is_mount_root(t2)) << "a released overlay was unmounted";
    OverlayMount adopt(t2);
    EXPECT_TRUE(adopt.unmount()) << "explicit unmount failed";
    EXPECT_FALSE(is_mount_root(t2));
}

TEST(OverlayProbe, FindsLowerdirAddFromLinux68) {
    utsname u{};
    ASSERT_EQ(::uname(&u), 0);
    int major = 0, minor = 0;
    ASSERT_EQ(std::sscanf(u.release, "%d.%d", &major, &minor), 2) << u.release;
    bool expected = major > 6 || (major == 6 && minor >= 8);
    EXPECT_EQ(overlay_internal::kernel_has_lowerdir_add(), expected)
        << "kernel " << u.release << ": the probe picked the wrong strategy";
}

TEST(OverlayEscape, EscapesSeparatorsAndBackslash) {
    EXPECT_EQ(overlay_internal::escape_path("/a:b,c\\d"), "/a\\:b\\,c\\\\d");
    EXPECT_EQ(overlay_internal::escape_path("/var/lib/berth/image/snapshots/17"),
              "/var/lib/berth/image/snapshots/17");
}

TEST(OverlayLegacyOptions, ListsLowersTopFirstThenFixedOptions) {
    EXPECT_EQ(overlay_internal::legacy_options({"/s/1", "/s/2"}, "/u", "/w"),
              "lowerdir=/s/2:/s/1,upperdir=/u,workdir=/w,index=off,redirect_dir=off,metacopy=off");
}

}  // namespace
}  // namespace berth::image

#include "image/layer_apply.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <map>
#include <string>

#include "base/file.hpp"
#include "image/decompress.hpp"
#include "layer_fixture.hpp"

namespace berth::image {
namespace {

using test::LayerTar;
using test::lstat_of;
using test::TempDir;
using test::xattr_of;

class LayerApply : public ::testing::Test {
  protected:
    void SetUp() override {
        // A sentinel around the destination: anything written outside dest shows here.
        ASSERT_TRUE(mkdir_p(tmp / "outside"));
        ASSERT_TRUE(write_file_atomic(tmp / "outside/secret", "secret"));
        dest = tmp.make_dir("dest");
        ASSERT_TRUE(dest.valid());
    }

    Result<AppliedLayer> apply(const std::string& tar, const ApplyOptions& opts = {}) {
        EXPECT_FALSE(tar.empty()) << "test archive could not be built";
        StringReader in(tar);
        return apply_layer(in, dest.get(), opts);
    }

    // Every path under the temp dir outside dest, with its size and mtime.
    std::map<std::string, std::string> outside_state() {
        std::map<std::string, std::string> state;
        for (auto it = std::filesystem::recursive_directory_iterator(tmp.path());
             it != std::filesystem::recursive_directory_iterator(); ++it) {
            std::string p = it->path().string();
            if (p.starts_with(tmp / "dest")) {
                it.disable_recursion_pending();
                continue;
            }
            auto st = lstat_of(p);
            state[p] = std::to_string(st->st_size) + ":" + std::to_string(st->st_mtim.tv_nsec) + ":" +
                       std::to_string(st->st_nlink);
        }
        auto pw = lstat_of("/etc/passwd");
        state["/etc/passwd"] = std::to_string(pw->st_nlink) + ":" + std::to_string(pw->st_mtim.tv_nsec);
        return state;
    }

    // Applies a hostile layer: it must be refused with an error naming `bad_path`,
    // and leave everything outside dest exactly as it was.
    void expect_refused(const std::string& tar, const std::string& bad_path) {
        auto before = outside_state();
        auto r = apply(tar);
        ASSERT_FALSE(r) << "hostile layer applied; entry " << bad_path;
        EXPECT_NE(r.error().message.find(bad_path), std::string::npos)
            << "error does not name the entry: " << r.error().message;
        EXPECT_EQ(outside_state(), before) << "something outside dest changed";
        EXPECT_EQ(test::read_text(tmp / "outside/secret"), "secret");
    }

    TempDir tmp;
    UniqueFd dest;
};

TEST_F(LayerApply, CreatesEveryEntryTypeWithItsMetadata) {
    TarEntry suid;
    suid.path = "usr/bin/su";
    suid.mode = 04755;
    suid.uid = 1000;
    suid.gid = 1001;
    suid.mtime = {1600000000, 123};
    suid.xattrs = {{"user.note", "kept"}, {"trusted.overlay.redirect", "/forged"}};
    TarEntry dev;
    dev.path = "dev/null";
    dev.type = '3';
    dev.mode = 0666;
    dev.devmajor = 1;
    dev.devminor = 3;
    TarEntry dir;
    dir.path = "usr";
    dir.type = '5';
    dir.mode = 0750;
    dir.mtime = {1500000000, 0};
    TarEntry link;
    link.path = "usr/lib64";
    link.type = '2';
    link.link = "/lib";
    link.uid = 7;
    link.gid = 8;
    std::string tar = LayerTar()
                          .add(dir)
                          .add(suid)
                          .file("usr/bin/sh", "#!")
                          .hardlink("usr/bin/bash", "usr/bin/sh")
                          .add(link)
                          .add(dev)
                          .add("run/fifo", '6', "", 0600)
                          .done();
    auto r = apply(tar);
    ASSERT_TRUE(r) << r.error().message;
    auto su = lstat_of(tmp / "dest/usr/bin/su");
    ASSERT_TRUE(su);
    EXPECT_EQ(su->st_mode & 07777, 04755u) << "setuid bit lost (chmod must follow chown)";
    EXPECT_EQ(su->st_uid, 1000u);
    EXPECT_EQ(su->st_gid, 1001u);
    EXPECT_EQ(su->st_mtim.tv_sec, 1600000000);
    EXPECT_EQ(su->st_mtim.tv_nsec, 123);
    EXPECT_EQ(xattr_of(tmp / "dest/usr/bin/su", "user.note"), "kept");
    EXPECT_FALSE(xattr_of(tmp / "dest/usr/bin/su", "trusted.overlay.redirect")) << "overlay xattr forged by a layer";
    auto usr = lstat_of(tmp / "dest/usr");
    EXPECT_EQ(usr->st_mode & 07777, 0750u);
    EXPECT_EQ(usr->st_mtim.tv_sec, 1500000000) << "dir mtime not restored after its children";
    EXPECT_EQ(lstat_of(tmp / "dest/usr/bin/bash")->st_ino, lstat_of(tmp / "dest/usr/bin/sh")->st_ino);
    auto l = lstat_of(tmp / "dest/usr/lib64");
    ASSERT_TRUE(l && S_ISLNK(l->st_mode));
    EXPECT_EQ(std::filesystem::read_symlink(tmp / "dest/usr/lib64"), "/lib");
    EXPECT_EQ(l->st_uid, 7u) << "symlink owner not set with lchown";
    auto d = lstat_of(tmp / "dest/dev/null");
    ASSERT_TRUE(d && S_ISCHR(d->st_mode));
    EXPECT_EQ(d->st_rdev, makedev(1, 3));
    EXPECT_EQ(d->st_mode & 07777, 0666u);
    EXPECT_TRUE(S_ISFIFO(lstat_of(tmp / "dest/run/fifo")->st_mode));
    EXPECT_EQ(r->unpacked_size, 2u);
    EXPECT_EQ(r->disk_size, 2u + std::string("/lib").size()) << "docker counts a symlink's target length";
}

TEST_F(LayerApply, FileCapabilitiesSurviveTheChown) {
    // chown(2) clears security.capability, so it must be set after the owner.
    // vfs_cap_data revision 2, effective, permitted = CAP_NET_RAW (13).
    const std::string cap("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
    TarEntry ping;
    ping.path = "bin/ping";
    ping.uid = 1000;  // a real owner change, which certainly clears capabilities
    ping.gid = 1000;
    ping.mode = 0755;
    ping.xattrs = {{"security.capability", cap}};
    auto r = apply(LayerTar().add(ping).done());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(xattr_of(tmp / "dest/bin/ping", "security.capability"), cap) << "file capability lost";
}

TEST_F(LayerApply, DiffIdIsTheSha256OfTheWholeUncompressedTar) {
    std::string tar = LayerTar().file("a", "data").done();
    tar.append(10240 - tar.size() % 10240, '\0');  // GNU tar's record padding
    StringWriter gz;
    auto w = make_gzip_writer(gz);
    ASSERT_TRUE(w->write(tar));
    ASSERT_TRUE(w->finish());
    auto r = apply(gz.out);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->diff_id, sha256_of(tar)) << "diff_id must hash the uncompressed bytes, padding included";
    EXPECT_EQ(test::read_text(tmp / "dest/a"), "data");
}

TEST_F(LayerApply, WhiteoutsBecomeOverlayWhiteouts) {
    auto r = apply(LayerTar()
                       .dir("etc")
                       .file("etc/.wh.motd", "")
                       .dir("var/cache")
                       .file("var/cache/.wh..wh..opq", "")
                       .file("var/cache/new", "n")
                       .file(".wh..wh.plnk", "")
                       .done());
    ASSERT_TRUE(r) << r.error().message;
    auto wh = lstat_of(tmp / "dest/etc/motd");
    ASSERT_TRUE(wh) << "no whiteout made for etc/.wh.motd";
    EXPECT_TRUE(S_ISCHR(wh->st_mode));
    EXPECT_EQ(wh->st_rdev, makedev(0, 0));
    EXPECT_FALSE(lstat_of(tmp / "dest/etc/.wh.motd")) << "AUFS whiteout file left in place";
    EXPECT_EQ(xattr_of(tmp / "dest/var/cache", "trusted.overlay.opaque"), "y");
    EXPECT_FALSE(lstat_of(tmp / "dest/var/cache/.wh..wh..opq"));
    EXPECT_EQ(test::read_text(tmp / "dest/var/cache/new"), "n");
    EXPECT_FALSE(lstat_of(tmp / "dest/.wh..wh.plnk")) << "AUFS bookkeeping entry applied";
    EXPECT_FALSE(lstat_of(tmp / "dest/plnk"));
}

TEST_F(LayerApply, LaterEntriesReplaceEarlierOnes) {
    auto r = apply(LayerTar().file("x", "old").dir("x").file("x/in", "1").file("y", "f").symlink("y", "z").done());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(test::read_text(tmp / "dest/x/in"), "1");
    EXPECT_TRUE(S_ISLNK(lstat_of(tmp / "dest/y")->st_mode));
}

TEST_F(LayerApply, RefusesDotDot) { expect_refused(LayerTar().file("../escape", "x").done(), "../escape"); }

TEST_F(LayerApply, RefusesDotDotInTheMiddle) {
    expect_refused(LayerTar().dir("a").file("a/../../outside/x", "x").done(), "a/../../outside/x");
}

TEST_F(LayerApply, RefusesAbsolutePaths) {
    expect_refused(LayerTar().file(tmp / "outside/abs", "x").done(), tmp / "outside/abs");
}

TEST_F(LayerApply, RefusesWritingThroughASymlinkPointingOut) {
    expect_refused(LayerTar().symlink("link", tmp / "outside").file("link/pwned", "x").done(), "link/pwned");
}

TEST_F(LayerApply, RefusesWritingThroughARelativeSymlinkPointingOut) {
    expect_refused(LayerTar().symlink("link", "../outside").file("link/secret", "x").done(), "link/secret");
}

TEST_F(LayerApply, RefusesWritingThroughASymlinkChain) {
    expect_refused(LayerTar().symlink("a", "b").symlink("b", "../../outside").dir("c").file("a/x", "x").done(), "a/x");
}

TEST_F(LayerApply, RefusesWhiteoutsThroughASymlink) {
    expect_refused(LayerTar().symlink("link", tmp / "outside").file("link/.wh.secret", "").done(), "link/.wh.secret");
    EXPECT_TRUE(lstat_of(tmp / "outside/secret")) << "whiteout deleted a file outside dest";
}

TEST_F(LayerApply, RefusesOpaqueMarkersThroughASymlink) {
    expect_refused(LayerTar().symlink("link", tmp / "outside").file("link/.wh..wh..opq", "").done(),
                   "link/.wh..wh..opq");
    EXPECT_FALSE(xattr_of(tmp / "outside", "trusted.overlay.opaque"));
}

TEST_F(LayerApply, RefusesHardLinksToHostFiles) {
    expect_refused(LayerTar().hardlink("passwd", "/etc/passwd").done(), "passwd");
}

TEST_F(LayerApply, RefusesHardLinksOutOfTheLayer) {
    expect_refused(LayerTar().hardlink("h", "../outside/secret").done(), "h");
}

TEST_F(LayerApply, RefusesHardLinksThroughASymlink) {
    expect_refused(LayerTar().symlink("link", tmp / "outside").hardlink("h", "link/secret").done(), "h");
}

TEST_F(LayerApply, HardLinkToASymlinkLinksTheSymlinkNotItsTarget) {
    auto before = outside_state();
    auto r = apply(LayerTar().symlink("s", tmp / "outside/secret").hardlink("h", "s").done());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(S_ISLNK(lstat_of(tmp / "dest/h")->st_mode));
    EXPECT_EQ(outside_state(), before);
}

TEST_F(LayerApply, AFileOverASymlinkReplacesTheLinkNotItsTarget) {
    auto before = outside_state();
    auto r = apply(LayerTar().symlink("s", tmp / "outside/secret").file("s", "overwritten").done());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(test::read_text(tmp / "dest/s"), "overwritten");
    EXPECT_EQ(outside_state(), before);
    EXPECT_EQ(test::read_text(tmp / "outside/secret"), "secret");
}

TEST_F(LayerApply, DeepNestingStaysInsideOrFailsCleanly) {
    std::string moderate, huge;
    for (int i = 0; i < 200; ++i) moderate += "d/";
    for (int i = 0; i < 3000; ++i) huge += "d/";
    auto ok = apply(LayerTar().file(moderate + "f", "deep").done());
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(test::read_text(tmp / "dest/" + moderate + "f"), "deep");
    expect_refused(LayerTar().file(huge + "f", "x").done(), "d/d/d/");
}

TEST_F(LayerApply, RefusesDevicesWhenAskedButStillMakesWhiteouts) {
    ApplyOptions opts;
    opts.refuse_devices = true;
    TarEntry dev;
    dev.path = "sda";
    dev.type = '4';
    dev.devmajor = 8;
    auto refused = apply(LayerTar().add(dev).done(), opts);
    ASSERT_FALSE(refused) << "device node made despite refuse_devices";
    EXPECT_NE(refused.error().message.find("sda"), std::string::npos) << refused.error().message;
    auto r = apply(LayerTar().file(".wh.gone", "").done(), opts);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(S_ISCHR(lstat_of(tmp / "dest/gone")->st_mode));
}

TEST_F(LayerApply, EnforcesEntryAndSizeLimits) {
    ApplyOptions few;
    few.max_entries = 2;
    auto r = apply(LayerTar().file("a", "").file("b", "").file("c", "").done(), few);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("limit"), std::string::npos) << r.error().message;
    ApplyOptions small;
    small.max_unpacked_bytes = 10;
    r = apply(LayerTar().file("big", std::string(11, 'x')).done(), small);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("limit"), std::string::npos) << r.error().message;
}

TEST_F(LayerApply, RefusesAGarbageStream) {
    auto r = apply(std::string(2048, 'z'));
    ASSERT_FALSE(r) << "garbage accepted as a layer";
}

}  // namespace
}  // namespace berth::image

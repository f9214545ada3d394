#include "image/layer_diff.hpp"

#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <map>
#include <string>

#include "base/file.hpp"
#include "image/layer_apply.hpp"
#include "image/tar_reader.hpp"
#include "layer_fixture.hpp"

namespace berth::image {
namespace {

using test::LayerTar;
using test::lstat_of;
using test::sh;
using test::TempDir;
using test::xattr_of;

// path -> entry, for looking entries up by name.
std::map<std::string, TarEntry> entries_of(const std::string& tar) {
    StringReader in(tar);
    TarReader r(in);
    std::map<std::string, TarEntry> out;
    for (;;) {
        auto e = r.next();
        EXPECT_TRUE(e) << e.error().message;
        if (!e || !*e) break;
        out[(*e)->path] = **e;
    }
    return out;
}

std::string tree_tar(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    StringWriter out;
    auto r = write_tree_tar(fd.get(), out);
    EXPECT_TRUE(r) << r.error().message;
    return out.out;
}

// Makes the same tree in `dir`, creating things in the given order of steps.
void make_tree(const std::string& dir, bool reversed) {
    std::string a = "mkdir -p d/sub && printf one > d/sub/file && ln d/sub/file d/hard";
    std::string b = "ln -s ../d/sub/file link && mkfifo pipe && printf two > top && "
                    "python3 -c 'import os; os.setxattr(\"top\", \"user.k\", b\"v\")'";
    auto r = sh("cd " + dir + " && " + (reversed ? b + " && " + a : a + " && " + b) +
                " && find . -exec touch -h -d @1650000000 {} +");
    ASSERT_TRUE(r.ok()) << r.stderr_text;
}

TEST(LayerDiff, SameTreeGivesTheSameBytesWhateverTheCreationOrder) {
    TempDir tmp;
    ASSERT_TRUE(mkdir_p(tmp / "one") && mkdir_p(tmp / "two"));
    make_tree(tmp / "one", false);
    make_tree(tmp / "two", true);
    std::string t1 = tree_tar(tmp / "one"), t2 = tree_tar(tmp / "two");
    EXPECT_EQ(sha256_of(t1), sha256_of(t2)) << "the same tree gave different archives";
    UniqueFd fd(::open((tmp / "one").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    StringWriter out;
    auto digest = write_layer_diff(fd.get(), out);
    ASSERT_TRUE(digest) << digest.error().message;
    EXPECT_EQ(*digest, sha256_of(out.out)) << "returned digest is not the sha256 of what was written";
    EXPECT_EQ(out.out, t1) << "a tree without whiteouts must give the same tar either way";
}

TEST(LayerDiff, TreeTarIsWhatGnuTarExtractsBackToTheSameTree) {
    TempDir tmp;
    ASSERT_TRUE(mkdir_p(tmp / "src") && mkdir_p(tmp / "x"));
    make_tree(tmp / "src", false);
    ASSERT_TRUE(write_file_atomic(tmp / "t.tar", tree_tar(tmp / "src")));
    auto r = sh("cd " + tmp.path() + " && tar --xattrs --xattrs-include='*' -xpf t.tar -C x && "
                "diff -r --no-dereference -x pipe src x && "
                "(cd src && find . -mindepth 1 -printf '%p %y %m %U %s %T@ %l\\n' | sort) > a && "
                "(cd x && find . -mindepth 1 -printf '%p %y %m %U %s %T@ %l\\n' | sort) > b && diff a b && "
                "stat -c %h x/d/hard && stat -c %Y x/d/sub");
    ASSERT_TRUE(r.ok()) << r.stdout_text << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "2\n1650000000\n");
    EXPECT_EQ(xattr_of(tmp / "x/top", "user.k"), "v");
    auto entries = entries_of(*read_file(tmp / "t.tar"));
    // In archive order "d/hard" comes before "d/sub/file": it carries the data.
    EXPECT_EQ(entries["d/hard"].type, '0') << "first name of an inode must carry the data";
    EXPECT_EQ(entries["d/sub/file"].type, '1');
    EXPECT_EQ(entries["d/sub/file"].link, "d/hard");
}

TEST(LayerDiff, TranslatesOverlayWhiteoutsAndOpaqueDirs) {
    TempDir tmp;
    ASSERT_TRUE(mkdir_p(tmp / "upper/opq/kept"));
    ASSERT_EQ(::mknod((tmp / "upper/gone").c_str(), S_IFCHR, makedev(0, 0)), 0);
    ASSERT_EQ(::mknod((tmp / "upper/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
    ASSERT_EQ(::setxattr((tmp / "upper/opq").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
    ASSERT_EQ(::setxattr((tmp / "upper/opq/kept").c_str(), "trusted.overlay.origin", "x", 1, 0), 0);
    UniqueFd fd(::open((tmp / "upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    StringWriter out;
    ASSERT_TRUE(write_layer_diff(fd.get(), out));
    auto entries = entries_of(out.out);
    ASSERT_TRUE(entries.count(".wh.gone")) << "whiteout not written as .wh.gone";
    EXPECT_EQ(entries[".wh.gone"].type, '0');
    EXPECT_FALSE(entries.count("gone"));
    EXPECT_EQ(entries["null"].type, '3') << "a real device is not a whiteout";
    ASSERT_TRUE(entries.count("opq/.wh..wh..opq")) << "opaque dir lost its marker";
    EXPECT_TRUE(entries["opq"].xattrs.empty()) << "trusted.overlay.* leaked into the layer";
    EXPECT_TRUE(entries["opq/kept"].xattrs.empty()) << "trusted.overlay.* leaked into the layer";
}

// An overlay mount that is always unmounted, whatever the test does.
class OverlayMount {
  public:
    OverlayMount(const std::string& target, const std::string& options) : target_(target) {
        mounted_ = ::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) == 0;
        if (!mounted_) error_ = std::strerror(errno);
    }
    ~OverlayMount() { unmount(); }
    void unmount() {
        if (mounted_) ::umount2(target_.c_str(), MNT_DETACH);
        mounted_ = false;
    }
    bool ok() const { return mounted_; }
    const std::string& error() const { return error_; }

  private:
    std::string target_;
    std::string error_;
    bool mounted_ = false;
};

class LayerDiffOverlay : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto d : {"l1", "l2", "l3", "upper", "work", "merged", "check"}) ASSERT_TRUE(mkdir_p(tmp / d));
    }
    void apply_into(const std::string& dir, const std::string& tar) {
        ASSERT_FALSE(tar.empty());
        UniqueFd fd(::open((tmp / dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        StringReader in(tar);
        auto r = apply_layer(in, fd.get());
        ASSERT_TRUE(r) << dir << ": " << r.error().message;
    }
    std::string overlay_options(const std::string& lowers) {
        return "lowerdir=" + lowers + ",upperdir=" + tmp / "upper" + ",workdir=" + tmp / "work" +
               ",redirect_dir=off,metacopy=off";
    }
    TempDir tmp;
};

TEST_F(LayerDiffOverlay, ChangesInAMergedDirRoundTripThroughADiffLayer) {
    apply_into("l1", LayerTar()
                         .dir("etc")
                         .file("etc/a", "a1")
                         .file("etc/b", "b1")
                         .dir("var/lib/app")
                         .file("var/lib/app/old1", "o")
                         .file("var/lib/app/old2", "o")
                         .file("usr/bin/tool", "v1", 0755)
                         .done());
    apply_into("l2", LayerTar().file("etc/c", "c2").file("etc/.wh.b", "").done());
    {
        OverlayMount m(tmp / "merged", overlay_options(tmp / "l2:" + tmp / "l1"));
        ASSERT_TRUE(m.ok()) << "mount overlay: " << m.error();
        EXPECT_FALSE(lstat_of(tmp / "merged/etc/b")) << "layer 2's whiteout does not hide etc/b";
        EXPECT_EQ(test::read_text(tmp / "merged/etc/c"), "c2");
        auto r = sh("cd " + tmp / "merged" + " && printf n > etc/new && ln etc/new etc/new2 && rm etc/a && "
                    "rm -rf var/lib/app && mkdir var/lib/app && printf f > var/lib/app/fresh && "
                    "printf v2 > usr/bin/tool");
        ASSERT_TRUE(r.ok()) << r.stderr_text;
    }
    UniqueFd upper(::open((tmp / "upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    StringWriter diff;
    auto digest = write_layer_diff(upper.get(), diff);
    ASSERT_TRUE(digest) << digest.error().message;
    auto entries = entries_of(diff.out);
    EXPECT_TRUE(entries.count("etc/.wh.a")) << "deleting a lower file did not give a whiteout entry";
    EXPECT_TRUE(entries.count("var/lib/app/.wh..wh..opq")) << "recreated dir is not opaque in the diff";
    EXPECT_FALSE(entries.count("var/lib/app/old1"));

    apply_into("l3", diff.out);
    auto wh = lstat_of(tmp / "l3/etc/a");
    ASSERT_TRUE(wh && S_ISCHR(wh->st_mode) && wh->st_rdev == makedev(0, 0)) << "etc/a is not a whiteout in l3";
    EXPECT_EQ(xattr_of(tmp / "l3/var/lib/app", "trusted.overlay.opaque"), "y");
    EXPECT_EQ(lstat_of(tmp / "l3/etc/new")->st_ino, lstat_of(tmp / "l3/etc/new2")->st_ino) << "hard link lost";

    // The three layers stacked read-only show exactly what the merged dir showed.
    OverlayMount ro(tmp / "check", "lowerdir=" + tmp / "l3:" + tmp / "l2:" + tmp / "l1");
    ASSERT_TRUE(ro.ok()) << "mount read-only overlay: " << ro.error();
    auto r = sh("cd " + tmp / "check" + " && find . | sort && cat etc/new usr/bin/tool var/lib/app/fresh");
    ASSERT_TRUE(r.ok()) << r.stderr_text;
    EXPECT_EQ(r.stdout_text,
              ".\n./etc\n./etc/c\n./etc/new\n./etc/new2\n./usr\n./usr/bin\n./usr/bin/tool\n./var\n./var/lib\n"
              "./var/lib/app\n./var/lib/app/fresh\nnv2f");
}

}  // namespace
}  // namespace berth::image

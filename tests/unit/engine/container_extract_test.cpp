#include "engine/container_extract.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "image/layer_fixture.hpp"
#include "image/tar_writer.hpp"

namespace berth::engine {
namespace {

using image::TarEntry;
using image::test::TempDir;
using image::test::lstat_of;
using image::test::read_text;

struct Tar {
    StringWriter out;
    image::TarWriter w{out};
    void file(const std::string& path, const std::string& data, std::uint32_t uid = 0) {
        TarEntry e;
        e.path = path;
        e.size = static_cast<std::int64_t>(data.size());
        e.uid = e.gid = uid;
        StringReader r(data);
        ASSERT_TRUE(w.add(e, &r));
    }
    void entry(const std::string& path, char type, const std::string& link = "") {
        TarEntry e;
        e.path = path;
        e.type = type;
        e.link = link;
        e.mode = type == '5' ? 0755 : 0777;
        ASSERT_TRUE(w.add(e, nullptr));
    }
    std::string bytes() {
        (void)w.finish();
        return out.out;
    }
};

struct Rootfs {
    TempDir t;
    UniqueFd root;
    Rootfs() {
        ::mkdir((t / "root").c_str(), 0755);
        ::mkdir((t / "root/tmp").c_str(), 0755);
        ::mkdir((t / "outside").c_str(), 0755);
        root = UniqueFd(::open((t / "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    }
    Result<void> extract(const std::string& tar, const std::string& dest, ExtractOptions o = {}) {
        StringReader r(tar);
        return extract_in_root(r, root.get(), dest, o);
    }
};

TEST(ContainerExtract, UnpacksFilesDirsLinksIntoTheDestination) {
    Rootfs fs;
    Tar tar;
    tar.entry("d", '5');
    tar.file("d/f", "hello", 1000);
    tar.entry("d/l", '2', "f");
    tar.entry("d/h", '1', "d/f");
    auto r = fs.extract(tar.bytes(), "/tmp");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(read_text(fs.t / "root/tmp/d/f"), "hello");
    EXPECT_EQ(lstat_of(fs.t / "root/tmp/d/f")->st_uid, 1000u);
    EXPECT_TRUE(S_ISLNK(lstat_of(fs.t / "root/tmp/d/l")->st_mode));
    EXPECT_EQ(lstat_of(fs.t / "root/tmp/d/h")->st_ino, lstat_of(fs.t / "root/tmp/d/f")->st_ino);
}

TEST(ContainerExtract, DotDotClimbingOutIsRefused) {
    Rootfs fs;
    Tar tar;
    tar.file("../../outside/pwned", "x");
    auto r = fs.extract(tar.bytes(), "/tmp");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("is outside of"), std::string::npos) << r.error().message;
    EXPECT_FALSE(lstat_of(fs.t / "outside/pwned"));
}

TEST(ContainerExtract, AnAbsoluteSymlinkWrittenThroughStaysInsideTheRoot) {
    Rootfs fs;
    Tar tar;
    // "escape" points at the host path of `outside`; inside the root it names
    // <root>/<that path>, never the host directory.
    tar.entry("escape", '2', fs.t / "outside");
    tar.file("escape/pwned", "x");
    tar.entry("up", '2', "../../../../../../..");
    tar.file("up/pwned2", "y");
    auto r = fs.extract(tar.bytes(), "/tmp");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(lstat_of(fs.t / "outside/pwned"));
    EXPECT_EQ(read_text(fs.t / ("root" + fs.t.path() + "/outside/pwned")), "x");
    EXPECT_EQ(read_text(fs.t / "root/pwned2"), "y");
    EXPECT_FALSE(lstat_of(fs.t / "pwned2"));
}

TEST(ContainerExtract, AHardLinkOutsideTheDestinationIsRefused) {
    Rootfs fs;
    Tar tar;
    tar.entry("h", '1', "../../outside/x");
    EXPECT_FALSE(fs.extract(tar.bytes(), "/tmp"));
}

TEST(ContainerExtract, NoOverwriteDirNonDirRefusesReplacingADirectory) {
    Rootfs fs;
    ::mkdir((fs.t / "root/tmp/d").c_str(), 0755);
    Tar tar;
    tar.file("d", "x");
    ExtractOptions o;
    o.no_overwrite_dir_non_dir = true;
    auto r = fs.extract(tar.bytes(), "/tmp", o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot overwrite directory"), std::string::npos) << r.error().message;
    Tar again;
    again.file("d", "x");
    ASSERT_TRUE(fs.extract(again.bytes(), "/tmp"));
    EXPECT_EQ(read_text(fs.t / "root/tmp/d"), "x");
}

TEST(ContainerExtract, CopyUidGidOwnsEveryEntry) {
    Rootfs fs;
    Tar tar;
    tar.file("f", "x", 5);
    ExtractOptions o;
    o.owner = Owner{1234, 4321};
    ASSERT_TRUE(fs.extract(tar.bytes(), "/tmp", o));
    auto st = lstat_of(fs.t / "root/tmp/f");
    EXPECT_EQ(st->st_uid, 1234u);
    EXPECT_EQ(st->st_gid, 4321u);
}

}  // namespace
}  // namespace berth::engine

#include "engine/container_changes.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image/layer_fixture.hpp"

namespace berth::engine {
namespace {

using image::test::TempDir;

void make_dir(const std::string& p) { ASSERT_EQ(::mkdir(p.c_str(), 0755), 0) << p; ::chmod(p.c_str(), 0755); }
void make_file(const std::string& p, const std::string& text = "x") {
    FILE* f = std::fopen(p.c_str(), "w");
    ASSERT_NE(f, nullptr) << p;
    std::fputs(text.c_str(), f);
    std::fclose(f);
}
void whiteout(const std::string& p) { ASSERT_EQ(::mknod(p.c_str(), S_IFCHR, makedev(0, 0)), 0) << p; }
void opaque(const std::string& p) { ASSERT_EQ(::setxattr(p.c_str(), "trusted.overlay.opaque", "y", 1, 0), 0) << p; }
// Gives `p` the mtime of `ref`, as a copy-up keeps it.
void same_time(const std::string& p, const std::string& ref) {
    struct stat st;
    ASSERT_EQ(::stat(ref.c_str(), &st), 0);
    timespec t[2] = {st.st_mtim, st.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), t, 0), 0);
}

std::string render(const std::vector<FsChange>& changes) {
    std::string out;
    for (const auto& c : changes) out += "CAD"[static_cast<int>(c.kind)] + std::string(" ") + c.path + "\n";
    return out;
}

std::string changes_of(TempDir& t) {
    UniqueFd upper(::open((t / "upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd lower(::open((t / "lower").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto r = container_changes(upper.get(), {lower.get()});
    EXPECT_TRUE(r) << r.error().message;
    return r ? render(*r) : "";
}

TEST(ContainerChanges, ReportsAddedModifiedDeletedAsDockerDiff) {
    TempDir t;
    for (auto d : {"lower", "lower/bin", "lower/etc", "lower/usr", "lower/usr/share", "lower/usr/share/doc", "upper",
                   "upper/bin", "upper/etc", "upper/proc", "upper/tmp", "upper/usr", "upper/usr/share",
                   "upper/usr/share/doc"})
        make_dir(t / d);
    make_file(t / "lower/bin/ls");
    make_file(t / "lower/etc/passwd");
    make_file(t / "lower/usr/share/doc/old");
    whiteout(t / "upper/bin/ls");
    make_file(t / "upper/etc/passwd", "changed");
    make_file(t / "upper/etc/new");
    make_file(t / "upper/etc/hostname");  // a mount target: hidden
    make_file(t / "upper/tmp/a");
    make_file(t / "upper/usr/share/doc/y");
    opaque(t / "upper/usr/share/doc");
    for (auto d : {"bin", "usr", "usr/share"}) same_time(t / ("upper/" + std::string(d)), t / ("lower/" + std::string(d)));
    EXPECT_EQ(changes_of(t),
              "C /bin\nD /bin/ls\n"
              "C /etc\nA /etc/new\nC /etc/passwd\n"
              "A /tmp\nA /tmp/a\n"
              "C /usr/share\nD /usr/share/doc\nA /usr/share/doc/y\n");
}

TEST(ContainerChanges, MountTargetsAloneChangeNothing) {
    TempDir t;
    for (auto d : {"lower", "lower/etc", "upper", "upper/etc", "upper/dev", "upper/sys"}) make_dir(t / d);
    make_file(t / "lower/etc/passwd");
    make_file(t / "upper/etc/hostname");
    make_file(t / "upper/etc/hosts");
    make_file(t / "upper/etc/resolv.conf");
    make_file(t / "upper/.dockerenv");
    make_file(t / "upper/dev/null");
    EXPECT_EQ(changes_of(t), "");
}

TEST(ContainerChanges, AChangedFileInAnUnchangedDirIsOnlyModified) {
    TempDir t;
    for (auto d : {"lower", "lower/etc", "upper", "upper/etc"}) make_dir(t / d);
    make_file(t / "lower/etc/passwd");
    make_file(t / "upper/etc/passwd", "new");
    same_time(t / "upper/etc", t / "lower/etc");
    EXPECT_EQ(changes_of(t), "C /etc/passwd\n");
}

TEST(ContainerChanges, ALowerSymlinkOnThePathIsNotFollowed) {
    TempDir t;
    for (auto d : {"lower", "upper", "upper/lnk"}) make_dir(t / d);
    // In the lower layer "lnk" points at the host's /etc: /lnk/passwd is not there.
    ASSERT_EQ(::symlink("/etc", (t / "lower/lnk").c_str()), 0);
    make_file(t / "upper/lnk/passwd");
    EXPECT_EQ(changes_of(t), "C /lnk\nA /lnk/passwd\n");
}

}  // namespace
}  // namespace berth::engine

#include "engine/container_path.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/base64.hpp"
#include "image/layer_fixture.hpp"

namespace berth::engine {
namespace {

using image::test::TempDir;

TEST(ContainerPath, SplitKeepsTrailingSlashAndDotLikeDocker) {
    auto s = split_container_path("etc//hostname");
    EXPECT_EQ(s.abs, "/etc/hostname");
    EXPECT_EQ(s.dir, "/etc/");
    EXPECT_EQ(s.base, "hostname");
    s = split_container_path("/etc/.");
    EXPECT_EQ(s.abs, "/etc/.");
    EXPECT_EQ(s.base, ".");
    s = split_container_path("/tmp/");
    EXPECT_EQ(s.abs, "/tmp/");
    EXPECT_EQ(s.dir, "/tmp/");
    EXPECT_EQ(s.base, "");
    s = split_container_path("/a/../../b");
    EXPECT_EQ(s.abs, "/b");
    s = split_container_path("/");
    EXPECT_EQ(s.abs, "/");
    EXPECT_EQ(s.base, "");
}

TEST(ContainerPath, BaseNameIsGoFilepathBase) {
    EXPECT_EQ(base_name("/etc/hostname"), "hostname");
    EXPECT_EQ(base_name("/etc/."), ".");
    EXPECT_EQ(base_name("/tmp/"), "tmp");
    EXPECT_EQ(base_name("/"), "/");
}

TEST(ContainerPath, GoFileModeBits) {
    EXPECT_EQ(go_file_mode(S_IFDIR | 0755), (1u << 31) | 0755);
    EXPECT_EQ(go_file_mode(S_IFLNK | 0777), (1u << 27) | 0777);
    EXPECT_EQ(go_file_mode(S_IFREG | 0644), 0644u);
    EXPECT_EQ(go_file_mode(S_IFREG | S_ISUID | 0755), (1u << 23) | 0755);
    EXPECT_EQ(go_file_mode(S_IFCHR | 0666), (1u << 26) | (1u << 21) | 0666);
    EXPECT_EQ(go_file_mode(S_IFIFO | 0600), (1u << 25) | 0600);
}

TEST(ContainerPath, SymlinksResolveInsideTheRoot) {
    TempDir t;
    ASSERT_EQ(::mkdir((t / "b").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("/b", (t / "a").c_str()), 0);                // absolute: the root's /b
    ASSERT_EQ(::symlink("../../../etc", (t / "b/up").c_str()), 0);  // ".." stops at the root
    ASSERT_EQ(::symlink("c", (t / "b/rel").c_str()), 0);
    UniqueFd root(::open(t.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    EXPECT_EQ(*resolve_in_root(root.get(), "/a"), "/b");
    EXPECT_EQ(*resolve_in_root(root.get(), "/a/up/passwd"), "/etc/passwd");
    EXPECT_EQ(*resolve_in_root(root.get(), "/a/rel"), "/b/c");
    EXPECT_EQ(*resolve_in_root(root.get(), "/"), "/");
    ASSERT_EQ(::symlink("loop", (t / "loop").c_str()), 0);
    EXPECT_FALSE(resolve_in_root(root.get(), "/loop"));
}

TEST(ContainerPath, StatHeaderIsBase64OfDockersJson) {
    struct stat st{};
    st.st_mode = S_IFLNK | 0777;
    st.st_size = 4;
    st.st_mtim = {1700000000, 5};
    auto s = path_stat("a", st, "/b");
    auto decoded = base64_decode(path_stat_header(s));
    ASSERT_TRUE(decoded);
    auto j = Json::parse(*decoded);
    EXPECT_EQ(j["name"], "a");
    EXPECT_EQ(j["size"], 4);
    EXPECT_EQ(j["mode"], (1u << 27) | 0777);
    EXPECT_EQ(j["mtime"], "2023-11-14T22:13:20.000000005Z");
    EXPECT_EQ(j["linkTarget"], "/b");
}

}  // namespace
}  // namespace berth::engine

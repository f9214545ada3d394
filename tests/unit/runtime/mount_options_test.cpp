#include <gtest/gtest.h>
#include <sys/mount.h>

#include "runtime/rootfs.hpp"

namespace berth::runtime {
namespace {

MountOptions parse(std::vector<std::string> o) {
    return parse_mount_options(o);
}

struct FlagCase {
    const char* set_name;
    const char* clear_name;
    unsigned long flag;
};

class MountOptionFlags : public ::testing::TestWithParam<FlagCase> {};

TEST_P(MountOptionFlags, SetAndClear) {
    const auto& c = GetParam();
    auto set = parse({c.set_name});
    EXPECT_EQ(set.flags, c.flag) << c.set_name;
    EXPECT_EQ(set.clear_flags & c.flag, 0UL) << c.set_name;
    EXPECT_TRUE(set.data.empty()) << c.set_name << " leaked into data: " << set.data;

    auto cleared = parse({c.set_name, c.clear_name});
    EXPECT_EQ(cleared.flags & c.flag, 0UL) << c.clear_name << " after " << c.set_name;
    EXPECT_EQ(cleared.clear_flags & c.flag, c.flag) << c.clear_name;
    EXPECT_TRUE(cleared.data.empty()) << c.clear_name << " leaked into data: " << cleared.data;

    auto reset = parse({c.clear_name, c.set_name});
    EXPECT_EQ(reset.flags & c.flag, c.flag) << c.set_name << " after " << c.clear_name;
    EXPECT_EQ(reset.clear_flags & c.flag, 0UL);
}

INSTANTIATE_TEST_SUITE_P(AllFlags, MountOptionFlags,
                         ::testing::Values(FlagCase{"ro", "rw", MS_RDONLY},
                                           FlagCase{"nosuid", "suid", MS_NOSUID},
                                           FlagCase{"nodev", "dev", MS_NODEV},
                                           FlagCase{"noexec", "exec", MS_NOEXEC},
                                           FlagCase{"sync", "async", MS_SYNCHRONOUS},
                                           FlagCase{"mand", "nomand", MS_MANDLOCK},
                                           FlagCase{"noatime", "atime", MS_NOATIME},
                                           FlagCase{"nodiratime", "diratime", MS_NODIRATIME},
                                           FlagCase{"relatime", "norelatime", MS_RELATIME},
                                           FlagCase{"strictatime", "nostrictatime", MS_STRICTATIME},
                                           FlagCase{"lazytime", "nolazytime", MS_LAZYTIME},
                                           FlagCase{"iversion", "noiversion", MS_I_VERSION},
                                           FlagCase{"silent", "loud", MS_SILENT},
                                           FlagCase{"nosymfollow", "symfollow", 256UL}));

TEST(MountOptions, FlagsWithoutAnOpposite) {
    EXPECT_EQ(parse({"dirsync"}).flags, static_cast<unsigned long>(MS_DIRSYNC));
    EXPECT_EQ(parse({"remount"}).flags, static_cast<unsigned long>(MS_REMOUNT));
    auto d = parse({"defaults"});
    EXPECT_EQ(d.flags, 0UL);
    EXPECT_TRUE(d.data.empty());
}

TEST(MountOptions, CombinedFlagsAccumulate) {
    auto o = parse({"nosuid", "noexec", "nodev", "ro"});
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
}

TEST(MountOptions, AtimeModesExcludeEachOther) {
    auto o = parse({"relatime", "noatime"});
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOATIME));
    EXPECT_EQ(o.clear_flags & MS_RELATIME, static_cast<unsigned long>(MS_RELATIME));
    auto s = parse({"noatime", "strictatime"});
    EXPECT_EQ(s.flags, static_cast<unsigned long>(MS_STRICTATIME));
}

TEST(MountOptions, BindAndRbind) {
    auto b = parse({"bind"});
    EXPECT_TRUE(b.bind);
    EXPECT_FALSE(b.recursive);
    EXPECT_EQ(b.flags, 0UL) << "MS_BIND is the caller's business";
    auto r = parse({"rbind", "ro"});
    EXPECT_TRUE(r.bind);
    EXPECT_TRUE(r.recursive);
    EXPECT_EQ(r.flags, static_cast<unsigned long>(MS_RDONLY));
    EXPECT_TRUE(r.data.empty());
}

TEST(MountOptions, Propagation) {
    struct {
        const char* name;
        unsigned long want;
    } cases[] = {{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
                 {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
                 {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
                 {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC}};
    for (const auto& c : cases) {
        auto o = parse({c.name});
        EXPECT_EQ(o.propagation, c.want) << c.name;
        EXPECT_EQ(o.flags, 0UL) << c.name << " must not be a mount flag";
        EXPECT_TRUE(o.data.empty()) << c.name;
    }
    EXPECT_EQ(parse({"rshared", "rprivate"}).propagation,
              static_cast<unsigned long>(MS_PRIVATE | MS_REC))
        << "the last propagation option wins";
}

TEST(MountOptions, UnknownOptionsBecomeDataInOrder) {
    auto o = parse({"nosuid", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "noexec"});
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC));
    EXPECT_EQ(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    EXPECT_EQ(parse({"size=65536k", "mode=755"}).data, "size=65536k,mode=755");
}

TEST(MountOptions, TmpcopyupIsNotData) {
    auto o = parse({"tmpcopyup", "mode=755"});
    EXPECT_TRUE(o.tmpcopyup);
    EXPECT_EQ(o.data, "mode=755");
}

TEST(MountOptions, EmptyListAndEmptyOption) {
    auto o = parse({});
    EXPECT_EQ(o.flags, 0UL);
    EXPECT_EQ(o.propagation, 0UL);
    EXPECT_FALSE(o.bind);
    EXPECT_TRUE(parse({""}).data.empty());
}

}  // namespace
}  // namespace berth::runtime

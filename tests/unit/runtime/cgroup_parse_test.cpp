// The pure parts of the cgroup module: path resolution, /proc parsing, value
// conversions and the device program's shape.
// Designated initializers name only the fields a test sets; GCC 12 still warns
// about the rest, which are meant to stay defaulted.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {
namespace {

TEST(CgroupPath, EmptyBecomesBerthSlashId) {
    EXPECT_EQ(resolve_cgroup_path("", "c1").value(), "/berth/c1");
}

TEST(CgroupPath, RelativeGoesUnderBerthAbsoluteStaysAndIsNormalised) {
    EXPECT_EQ(resolve_cgroup_path("a/b", "c1").value(), "/berth/a/b");
    EXPECT_EQ(resolve_cgroup_path("/x//y/./z/", "c1").value(), "/x/y/z");
}

TEST(CgroupPath, DotDotIsRejectedNamingTheField) {
    auto r = resolve_cgroup_path("/a/../../etc", "c1");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("linux.cgroupsPath"), std::string::npos) << r.error().message;
    EXPECT_FALSE(resolve_cgroup_path("..", "c1"));
    EXPECT_FALSE(resolve_cgroup_path("", "../x"));
    EXPECT_FALSE(resolve_cgroup_path("/", "c1"));
}

std::string temp_file(const std::string& text) {
    char name[] = "/tmp/berth-cgtest-XXXXXX";
    int fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
    return name;
}

TEST(CgroupMountinfo, FindsCoMountedAndNamedHierarchiesAndSkipsCgroup2) {
    std::string path = temp_file(
        "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
        "50 23 0:29 / /elsewhere/cpu rw - cgroup cgroup rw,cpu,cpuacct\n");
    auto mounts = read_mountinfo(path).value();
    ::unlink(path.c_str());
    auto hs = find_v1_hierarchies("/sys/fs/cgroup", mounts).value();
    ASSERT_EQ(hs.size(), 2u);
    EXPECT_EQ(hs[0].mount_dir, "/sys/fs/cgroup/cpu,cpuacct");
    EXPECT_EQ(hs[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_EQ(hs[1].controllers, (std::vector<std::string>{"name=systemd"}));
}

TEST(CgroupMountinfo, UnescapesOctalInPaths) {
    std::string path = temp_file("1 0 0:1 / /a\\040b rw - cgroup cgroup rw,pids\n");
    auto mounts = read_mountinfo(path).value();
    ::unlink(path.c_str());
    ASSERT_EQ(mounts.size(), 1u);
    EXPECT_EQ(mounts[0].mount_point, "/a b");
}

TEST(CgroupProcSelf, MapsHierarchyToPathKeepingColonsInPaths) {
    std::string path = temp_file("4:memory:/a:b\n2:cpu,cpuacct:/x\n0::/user.slice\n");
    auto m = read_proc_cgroup(path).value();
    ::unlink(path.c_str());
    EXPECT_EQ(m["memory"], "/a:b");
    EXPECT_EQ(m["cpu,cpuacct"], "/x");
    EXPECT_EQ(m[""], "/user.slice");
}

TEST(CgroupConvert, SharesToWeightFollowsTheOciMapping) {
    EXPECT_EQ(shares_to_weight(2), 1u);
    EXPECT_EQ(shares_to_weight(1024), 39u);
    EXPECT_EQ(shares_to_weight(262144), 10000u);
}

TEST(CgroupConvert, BlkioWeightToIoWeight) {
    EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
    EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
    EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

TEST(CgroupConvert, SwapIsMemoryPlusSwapOnTheOciSide) {
    EXPECT_EQ(swap_to_v2(300, 100).value(), "200");
    EXPECT_EQ(swap_to_v2(-1, 100).value(), "max");
    EXPECT_EQ(swap_to_v2(std::nullopt, -1).value(), "max");
    EXPECT_EQ(swap_to_v2(std::nullopt, 100).value(), "");
    EXPECT_EQ(swap_to_v2(100, 100).value(), "0");
    EXPECT_FALSE(swap_to_v2(50, 100));
    EXPECT_FALSE(swap_to_v2(50, std::nullopt));
}

TEST(CgroupDeviceProgram, EndsInDefaultDenyAndGrowsPerRule) {
    auto empty = build_device_program({});
    ASSERT_GE(empty.size(), 2u);
    EXPECT_EQ(empty.back().code, BPF_JMP | BPF_EXIT);
    EXPECT_EQ(empty[empty.size() - 2].imm, 0);  // r0 = 0: deny
    oci::DeviceRule null_write{.allow = false, .type = "c", .major = 1, .minor = 3, .access = "w"};
    auto one = build_device_program({null_write});
    // type, access (3 insns), major, minor checks, verdict, exit.
    EXPECT_EQ(one.size(), empty.size() + 8);
}

TEST(CgroupDeviceProgram, CatchAllRuleEndsTheProgram) {
    oci::DeviceRule all{.allow = true, .access = "rwm"};
    oci::DeviceRule null_write{.allow = false, .type = "c", .major = 1, .minor = 3, .access = "w"};
    // Checked last to first: the catch-all decides, the rule before it is dead code.
    auto p = build_device_program({null_write, all});
    EXPECT_EQ(p.size(), build_device_program({}).size());
    EXPECT_EQ(p[p.size() - 2].imm, 1);  // r0 = 1: allow
}

}  // namespace
}  // namespace berth::runtime::cgroup_detail

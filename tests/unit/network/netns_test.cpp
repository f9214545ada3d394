#include "network/netns.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "test_support.hpp"

namespace berth::network {
namespace {

// Namespaces are told apart by the inode of their nsfs file.
ino_t inode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_ino;
}

ino_t inode_of_fd(int fd) {
    struct stat st {};
    EXPECT_EQ(::fstat(fd, &st), 0);
    return st.st_ino;
}

UniqueFd private_netns() {
    auto ns = new_netns();
    EXPECT_TRUE(ns) << ns.error().message;
    return ns ? std::move(*ns) : UniqueFd();
}

TEST(Netns, NewNetnsIsANamespaceOfItsOwnAndLeavesTheCallerWhereItWas) {
    ino_t mine = inode_of("/proc/thread-self/ns/net");
    UniqueFd ns = private_netns();
    ASSERT_TRUE(ns);
    EXPECT_NE(inode_of_fd(ns.get()), mine);
    EXPECT_EQ(inode_of("/proc/thread-self/ns/net"), mine);
    EXPECT_NE(::fcntl(ns.get(), F_GETFD) & FD_CLOEXEC, 0);
    UniqueFd other = private_netns();
    ASSERT_TRUE(other);
    EXPECT_NE(inode_of_fd(other.get()), inode_of_fd(ns.get()));
}

TEST(Netns, RunInNetnsRunsTheFunctionInsideAndPassesItsResultOn) {
    ino_t mine = inode_of("/proc/thread-self/ns/net");
    UniqueFd ns = private_netns();
    ASSERT_TRUE(ns);
    ino_t inside = 0;
    auto ran = run_in_netns(ns.get(), [&]() -> Result<void> {
        inside = inode_of("/proc/thread-self/ns/net");
        return {};
    });
    ASSERT_TRUE(ran) << ran.error().message;
    EXPECT_EQ(inside, inode_of_fd(ns.get()));
    EXPECT_EQ(inode_of("/proc/thread-self/ns/net"), mine);

    auto failed = run_in_netns(ns.get(), []() -> Result<void> { return fail("inner failure"); });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "inner failure");
}

TEST(Netns, RunInNetnsRefusesAnFdThatIsNoNamespace) {
    UniqueFd not_a_namespace(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(not_a_namespace);
    bool ran = false;
    auto r = run_in_netns(not_a_namespace.get(), [&]() -> Result<void> {
        ran = true;
        return {};
    });
    ASSERT_FALSE(r);
    EXPECT_FALSE(ran);
    EXPECT_EQ(r.error().sys_errno, EINVAL);
    EXPECT_NE(r.error().message.find("join network namespace"), std::string::npos)
        << r.error().message;
}

TEST(Netns, OpenNetnsOfAProcessIsItsNamespace) {
    auto ns = open_netns_of(::getpid());
    ASSERT_TRUE(ns) << ns.error().message;
    EXPECT_EQ(inode_of_fd(ns->get()), inode_of("/proc/self/ns/net"));
    EXPECT_NE(::fcntl(ns->get(), F_GETFD) & FD_CLOEXEC, 0);

    auto missing = open_netns("/proc/no-such-process/ns/net");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().sys_errno, ENOENT);
    EXPECT_NE(missing.error().message.find("/proc/no-such-process/ns/net"), std::string::npos)
        << missing.error().message;
}

TEST(Netns, SocketInNetnsBelongsToThatNamespace) {
    UniqueFd ns = private_netns();
    ASSERT_TRUE(ns);
    auto sock = socket_in_netns(ns.get(), AF_INET, SOCK_DGRAM, 0);
    ASSERT_TRUE(sock) << sock.error().message;
    EXPECT_NE(::fcntl(sock->get(), F_GETFD) & FD_CLOEXEC, 0);
    // SIOCGSKNS: the kernel's own answer to "which namespace is this socket in".
    UniqueFd sock_ns(::ioctl(sock->get(), SIOCGSKNS));
    ASSERT_TRUE(sock_ns) << std::strerror(errno);
    EXPECT_EQ(inode_of_fd(sock_ns.get()), inode_of_fd(ns.get()));

    auto bad = socket_in_netns(ns.get(), AF_INET, SOCK_DGRAM, IPPROTO_TCP);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().sys_errno, EPROTONOSUPPORT);
}

TEST(Netns, WriteSysctlChangesTheValueOfTheThreadsNamespaceOnly) {
    const std::string key = "net/ipv4/ip_unprivileged_port_start";
    std::string host_before = test::read_text("/proc/sys/" + key);
    ASSERT_FALSE(host_before.empty());
    UniqueFd ns = private_netns();
    ASSERT_TRUE(ns);
    std::string wanted, inside_after;
    auto ran = run_in_netns(ns.get(), [&]() -> Result<void> {
        // Never write anything unless this thread really is in the test's namespace.
        if (inode_of("/proc/thread-self/ns/net") != inode_of_fd(ns.get()))
            return fail("not in the test namespace");
        wanted = test::read_text("/proc/sys/" + key) == "1000" ? "1001" : "1000";
        BERTH_TRYV(write_sysctl(key, wanted));
        BERTH_TRYV(write_sysctl(key, wanted + "\n"));  // already in place: nothing to do
        inside_after = test::read_text("/proc/sys/" + key);
        auto missing = write_sysctl("net/ipv4/no_such_sysctl", "1");
        if (missing ||
            missing.error().message.find("/proc/sys/net/ipv4/no_such_sysctl") == std::string::npos)
            return fail("a missing sysctl was not reported by its path");
        return {};
    });
    ASSERT_TRUE(ran) << ran.error().message;
    EXPECT_EQ(inside_after, wanted);
    EXPECT_EQ(test::read_text("/proc/sys/" + key), host_before);
}

}  // namespace
}  // namespace berth::network

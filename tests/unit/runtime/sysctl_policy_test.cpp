#include "runtime/sysctl_policy.hpp"

#include <gtest/gtest.h>

namespace berth::runtime {
namespace {

using oci::NamespaceType;

oci::Linux linux_with(std::initializer_list<NamespaceType> nss,
                      std::map<std::string, std::string> sysctl) {
    oci::Linux l;
    for (auto t : nss) l.namespaces.push_back({t, ""});
    l.sysctl = std::move(sysctl);
    return l;
}

TEST(SysctlPolicy, TheHostsOwnNamespaceJoinedByPathIsRefused) {
    oci::Linux l;
    l.namespaces.push_back({NamespaceType::network, "/proc/self/ns/net"});
    l.sysctl = {{"net.ipv4.ip_forward", "1"}};
    auto r = check_sysctl_policy(l);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("net.ipv4.ip_forward"), std::string::npos)
        << r.error().message;
}

TEST(SysctlPolicy, NoSysctlsIsFine) {
    EXPECT_TRUE(check_sysctl_policy(linux_with({}, {})));
}

TEST(SysctlPolicy, NamespacedKeysAreAllowedWithTheirNamespace) {
    const std::map<std::string, std::string> ok = {
        {"kernel.msgmax", "8192"},          {"kernel.shm_rmid_forced", "1"},
        {"kernel.sem", "250 32000 32 128"}, {"fs.mqueue.msg_max", "10"},
        {"net.ipv4.ip_forward", "1"},       {"net.core.somaxconn", "1024"},
        {"kernel.hostname", "h"},           {"kernel.domainname", "d"}};
    auto r = check_sysctl_policy(
        linux_with({NamespaceType::ipc, NamespaceType::network, NamespaceType::uts}, ok));
    EXPECT_TRUE(r) << r.error().message;
}

TEST(SysctlPolicy, KeyWithoutItsNamespaceIsRefusedNamingKeyAndNamespace) {
    struct Case {
        const char* key;
        const char* ns;
    };
    for (auto c : {Case{"kernel.shmmax", "ipc"}, Case{"fs.mqueue.queues_max", "ipc"},
                   Case{"net.ipv4.ip_forward", "network"}, Case{"kernel.hostname", "uts"}}) {
        // Every namespace but the one that scopes the key.
        auto l = linux_with({NamespaceType::pid, NamespaceType::mount, NamespaceType::ipc,
                             NamespaceType::network, NamespaceType::uts},
                            {{c.key, "1"}});
        std::erase_if(l.namespaces, [&](const oci::Namespace& n) {
            return oci::namespace_type_name(n.type) == std::string(c.ns);
        });
        auto r = check_sysctl_policy(l);
        ASSERT_FALSE(r) << c.key << " accepted without a " << c.ns << " namespace";
        EXPECT_NE(r.error().message.find(c.key), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(c.ns), std::string::npos) << r.error().message;
    }
}

TEST(SysctlPolicy, HostWideKeysAreRefusedWhateverTheNamespaces) {
    for (const char* key :
         {"vm.swappiness", "kernel.pid_max", "fs.file-max", "kernel.shm_next_id_x", "kernel", "",
          "network.foo", "kernel.hostnamex"}) {
        auto r = check_sysctl_policy(linux_with(
            {NamespaceType::ipc, NamespaceType::network, NamespaceType::uts, NamespaceType::user},
            {{key, "1"}}));
        ASSERT_FALSE(r) << "\"" << key << "\" accepted";
        EXPECT_NE(r.error().message.find("\"" + std::string(key) + "\""), std::string::npos)
            << r.error().message;
        EXPECT_NE(r.error().message.find("not namespaced"), std::string::npos) << r.error().message;
    }
}

TEST(SysctlPolicy, OneBadKeyAmongGoodOnesIsEnough) {
    auto r = check_sysctl_policy(linux_with(
        {NamespaceType::network}, {{"net.ipv4.ip_forward", "1"}, {"vm.overcommit_memory", "1"}}));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("vm.overcommit_memory"), std::string::npos)
        << r.error().message;
}

}  // namespace
}  // namespace berth::runtime

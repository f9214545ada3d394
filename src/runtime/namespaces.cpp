#include "runtime/namespaces.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstring>

#include "base/file.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace berth::runtime {

using oci::NamespaceType;

int clone_flag(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid:
            return CLONE_NEWPID;
        case NamespaceType::network:
            return CLONE_NEWNET;
        case NamespaceType::mount:
            return CLONE_NEWNS;
        case NamespaceType::ipc:
            return CLONE_NEWIPC;
        case NamespaceType::uts:
            return CLONE_NEWUTS;
        case NamespaceType::user:
            return CLONE_NEWUSER;
        case NamespaceType::cgroup:
            return CLONE_NEWCGROUP;
        case NamespaceType::time:
            return CLONE_NEWTIME;
    }
    return 0;
}

const char* proc_ns_name(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid:
            return "pid";
        case NamespaceType::network:
            return "net";
        case NamespaceType::mount:
            return "mnt";
        case NamespaceType::ipc:
            return "ipc";
        case NamespaceType::uts:
            return "uts";
        case NamespaceType::user:
            return "user";
        case NamespaceType::cgroup:
            return "cgroup";
        case NamespaceType::time:
            return "time";
    }
    return "?";
}

Result<void> join_namespace(const std::string& path, NamespaceType t) {
    std::string what = std::string("join ") + oci::namespace_type_name(t) + " namespace " + path;
    auto fd = BERTH_TRY(with_context(open_fd(path, O_RDONLY), what));
    if (::setns(fd.get(), clone_flag(t)) != 0) return sys_fail(what);
    return {};
}

static std::string format_mappings(const std::vector<oci::IdMapping>& maps) {
    std::string out;
    for (auto& m : maps)
        out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
               std::to_string(m.size) + "\n";
    return out;
}

Result<void> write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids,
                               const std::vector<oci::IdMapping>& gids) {
    std::string base = "/proc/" + std::to_string(pid);
    if (!uids.empty())
        BERTH_TRYV_CTX(write_existing(base + "/uid_map", format_mappings(uids)),
                       "linux.uidMappings");
    if (!gids.empty())
        BERTH_TRYV_CTX(write_existing(base + "/gid_map", format_mappings(gids)),
                       "linux.gidMappings");
    return {};
}

Result<void> bring_up_loopback() {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) return sys_fail("loopback: socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return sys_fail("loopback: get flags of lo");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) return sys_fail("loopback: bring lo up");
    return {};
}

bool namespace_differs(pid_t pid, NamespaceType t) {
    struct stat a {
    }, b{};
    std::string name = proc_ns_name(t);
    if (::stat(("/proc/" + std::to_string(pid) + "/ns/" + name).c_str(), &a) != 0) return false;
    if (::stat(("/proc/self/ns/" + name).c_str(), &b) != 0) return true;
    return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

}  // namespace berth::runtime

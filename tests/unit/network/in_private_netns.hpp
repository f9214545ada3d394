// Runs test code on a thread of its own inside a new network namespace, so
// whatever it does to sockets and nftables never reaches the host's network;
// the namespace (with every table and socket in it) goes when the thread ends,
// even when the test failed halfway.
#pragma once

#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#include "base/unique_fd.hpp"

namespace berth::test {

inline void in_private_netns(const std::function<void()>& body) {
    std::thread t([&] {
        // Per thread: the rest of the test binary stays in the host's namespace.
        if (::unshare(CLONE_NEWNET) != 0) {
            ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
            return;
        }
        body();
    });
    t.join();
}

// Brings up `lo` in the calling thread's namespace (a new one has it down).
inline bool loopback_up() {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (!s || ::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return false;
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    return ::ioctl(s.get(), SIOCSIFFLAGS, &ifr) == 0;
}

}  // namespace berth::test

#include "network/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>

#include <system_error>
#include <thread>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::network {
namespace {

// Runs `fn` on a thread of its own, so whatever namespace it joins dies with it.
Result<void> on_own_thread(const std::function<Result<void>()>& fn) {
    Result<void> result;
    try {
        std::thread t([&] { result = fn(); });
        t.join();
    } catch (const std::system_error& e) {
        return fail(cat("start a thread for a network namespace: ", e.what()));
    }
    return result;
}

}  // namespace

Result<UniqueFd> open_netns_of(pid_t pid) {
    return open_netns(cat("/proc/", pid, "/ns/net"));
}

Result<UniqueFd> open_netns(const std::string& path) {
    return with_context(open_fd(path, O_RDONLY), "open network namespace");
}

Result<void> run_in_netns(int netns_fd, const std::function<Result<void>()>& fn) {
    return on_own_thread([&]() -> Result<void> {
        if (::setns(netns_fd, CLONE_NEWNET) != 0) return sys_fail("join network namespace");
        return fn();
    });
}

Result<UniqueFd> socket_in_netns(int netns_fd, int domain, int type, int protocol) {
    UniqueFd sock;
    BERTH_TRYV(run_in_netns(netns_fd, [&]() -> Result<void> {
        sock.reset(::socket(domain, type | SOCK_CLOEXEC, protocol));
        if (!sock) return sys_fail("create a socket in a network namespace");
        return {};
    }));
    return sock;
}

Result<UniqueFd> new_netns() {
    UniqueFd ns;
    BERTH_TRYV(on_own_thread([&]() -> Result<void> {
        if (::unshare(CLONE_NEWNET) != 0) return sys_fail("create a network namespace");
        // thread-self, not self: /proc/self/ns/net is the main thread's namespace.
        ns = BERTH_TRY(open_fd("/proc/thread-self/ns/net", O_RDONLY));
        return {};
    }));
    return ns;
}

Result<void> write_sysctl(const std::string& key, const std::string& value) {
    std::string path = "/proc/sys/" + key;
    auto current = BERTH_TRY(with_context(read_file(path), "read sysctl"));
    if (trim(current) == trim(value)) return {};
    return with_context(write_existing(path, value), "write sysctl");
}

}  // namespace berth::network

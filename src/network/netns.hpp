// Network namespaces: handles to them and running code inside one.
//
// setns(CLONE_NEWNET) moves only the calling thread, and the daemon's threads
// must stay in the host's namespace: run_in_netns does its work on a short-lived
// thread of its own. A socket keeps the namespace it was created in, so the usual
// pattern is to create sockets there (netlink, the embedded DNS server's) and
// use them from any thread afterwards.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::network {

// An fd on /proc/<pid>/ns/net.
Result<UniqueFd> open_netns_of(pid_t pid);
// An fd on a namespace file (a bind mount, /proc/.../ns/net).
Result<UniqueFd> open_netns(const std::string& path);

// Runs `fn` on a new thread that has joined the namespace `netns_fd`; returns its
// result. The thread ends afterwards, so nothing else ever runs in the namespace.
Result<void> run_in_netns(int netns_fd, const std::function<Result<void>()>& fn);

// A socket(domain, type, protocol) created inside the namespace.
Result<UniqueFd> socket_in_netns(int netns_fd, int domain, int type, int protocol);

// A brand new network namespace (unshare on a helper thread), as an fd: for
// tests and for the simulated "internet" of the integration suite.
Result<UniqueFd> new_netns();

// Writes a sysctl under /proc/sys ("net/ipv4/ip_forward", "1") in the calling
// thread's namespace; a value already in place costs no write.
Result<void> write_sysctl(const std::string& key, const std::string& value);

}  // namespace berth::network

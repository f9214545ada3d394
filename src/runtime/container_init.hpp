// The container's first process, from clone until execve of process.args: joins
// what must be joined, builds the rootfs, waits on exec.fifo for `start`, becomes
// the configured user and execs. Runs in the cloned child; never returns.
#pragma once

#include <string>

#include "oci/config.hpp"
#include "runtime/seccomp_program.hpp"
#include "runtime/sync_channel.hpp"

namespace berth::runtime {

struct InitArgs {
    const oci::Config* config = nullptr;
    std::string bundle;  // absolute; relative mount sources resolve against it
    std::string rootfs;  // absolute host path
    int exec_fifo = -1;  // O_PATH fd of <state>/exec.fifo, opened by the runtime
    SyncChannel* sync = nullptr;
    int console_fd = -1;
    bool no_pivot = false;
    bool new_keyring = true;
    int preserve_fds = 0;
    const SeccompProgram* seccomp = nullptr;  // compiled by the runtime before the clone
};

[[noreturn]] void container_init(const InitArgs& a);

}  // namespace berth::runtime

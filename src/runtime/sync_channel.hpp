// The parent <-> container-init conversation during create: a SOCK_SEQPACKET pair,
// so each send is one message and a dead peer reads as end-of-file.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::runtime {

enum class SyncTag : char {
    go = 'g',             // parent -> init: id maps written
    cgroup_joined = 'c',  // parent -> init: the init is in its cgroup
    run_hooks = 'h',      // init -> parent: namespaces and mounts ready, run the runtime hooks
    hooks_done = 'd',     // parent -> init
    ready = 'r',          // init -> parent: waiting on exec.fifo
    error = 'e',          // either way: payload is the message, sender gives up
};

struct SyncMessage {
    SyncTag tag = SyncTag::error;
    std::string payload;
    std::vector<UniqueFd> fds;  // passed with SCM_RIGHTS
};

class SyncChannel {
  public:
    static Result<std::pair<SyncChannel, SyncChannel>> make_pair();
    explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}

    Result<void> send(SyncTag tag, std::string_view payload = {});
    Result<void> send_fds(SyncTag tag, const std::vector<UniqueFd>& fds);
    // Receives one message; an `error` message becomes an Error with its text, and
    // end-of-file becomes "container init exited unexpectedly".
    Result<SyncMessage> receive();
    // receive() that insists on `expected`.
    Result<SyncMessage> expect(SyncTag expected);
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

  private:
    Result<void> send_message(const std::string& msg, const std::vector<int>& fds);
    UniqueFd fd_;
};

}  // namespace berth::runtime

// The pieces run, start, attach and exec share: attaching to a container's
// streams, the wait for its exit on a second connection, and a session that pumps
// stdio with the terminal in raw mode, resizes and forwarded signals.
#pragma once

#include <memory>
#include <string>

#include "cli/berth/command.hpp"
#include "cli/berth/container_stream.hpp"
#include "http/response.hpp"

namespace berth::cli {

struct AttachStreams {
    bool in = false;
    bool out = true;
    bool err = true;
};

// POST /containers/{id}/attach?stream=1&stdin=..&stdout=..&stderr=..[&detachKeys=], hijacked.
Result<http::HijackedStream> attach_container(ApiClient& api, const std::string& id,
                                              const AttachStreams& streams,
                                              const std::string& detach_keys);

// POST /containers/{id}/wait?condition=... on its own connection and thread, so it
// is registered before the container starts and answers while we stream.
class ExitWaiter {
  public:
    // Returns once the daemon answered the request's head (it sends it at once
    // for a condition) or after a few seconds.
    static Result<ExitWaiter> start(const std::string& host, const std::string& id,
                                    const std::string& condition);
    ExitWaiter(ExitWaiter&&) = default;
    ~ExitWaiter();
    // The container's exit code (blocks); the daemon's wait error as an error.
    Result<int> status();

  private:
    struct State;
    explicit ExitWaiter(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

struct StreamSession {
    std::string id;           // container id (signals go to it)
    std::string resize_path;  // "/containers/<id>/resize" or "/exec/<id>/resize"
    bool tty = false;
    bool send_stdin = false;
    bool sig_proxy = false;   // forward our signals to the container (not with a tty)
    std::string detach_keys;  // --detach-keys, "" for docker's ctrl-p,ctrl-q
};

// Streams an attached socket until the output ends (or the detach keys): raw
// terminal when tty and stdin are ours, the size sent at once and on SIGWINCH,
// signals forwarded with POST /containers/{id}/kill when sig_proxy.
Result<PumpEnd> stream_session(Session& session, http::HijackedStream stream,
                               const StreamSession& options);

// GET /containers/{name}/json; a missing container is docker's client-side
// "Error: No such container: NAME" (its ContainerInspect wraps the 404).
Result<Json> inspect_container(ApiClient& api, const std::string& name);

// docker run's exit code for a start that failed: 127 when the command was not
// found, 126 when it could not be invoked, else 125.
int start_failure_status(const std::string& message);

// docker's reportError: "berth: <message>." plus, with `help_of`, "See 'berth
// <help_of> --help'." on stderr.
void report_error(Session& session, const std::string& message, const std::string& help_of = {});

}  // namespace berth::cli

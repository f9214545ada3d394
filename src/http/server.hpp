// berthd's API listener on a unix socket: one thread per connection with blocking
// I/O. Clients are few (a CLI, an IDE, compose), a parked thread costs only its
// stack, and a hijacked attach stream is just a thread that owns a socket.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "base/result.hpp"

namespace berth::http {

struct ServerOptions {
    mode_t mode = 0660;              // the socket file's permissions
    std::string group = "berth";     // its group, when such a group exists (like "docker")
    int idle_timeout_ms = 120'000;   // a keep-alive connection idle this long is closed
    int stop_timeout_ms = 5'000;     // how long stop() waits for connections to end
};

class Server {
  public:
    // Binds `path` and listens. A leftover socket file nobody listens on is
    // replaced; one a live daemon answers on is an error. `router` must outlive
    // the server and every connection it serves.
    static Result<Server> listen_unix(const std::string& path, const Router& router,
                                      ServerOptions options = {});

    Server(Server&&) noexcept;
    Server& operator=(Server&&) noexcept;
    ~Server();  // stop()s

    // Accepts connections until stop(); each is served on its own detached thread.
    Result<void> serve();
    // Ends serve(), shuts down open connections (their handlers' writes fail) and
    // waits up to stop_timeout_ms for their threads; removes the socket file.
    // Safe from any thread, more than once.
    void stop();

    // Connections being served now (hijacked ones until their handler returns).
    std::size_t active_connections() const;

    struct State;

  private:
    explicit Server(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

}  // namespace berth::http

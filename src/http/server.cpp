#include "http/server.hpp"

#include <grp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "http/connection_loop.hpp"
#include "base/log.hpp"
#include "base/scope_exit.hpp"
#include "base/unix_socket.hpp"

namespace berth::http {

struct Server::State {
    std::string path;
    const Router* router = nullptr;
    ServerOptions options;
    UniqueFd listener;
    UniqueFd wake;  // an eventfd stop() signals to end serve()'s poll
    std::atomic<bool> stopping{false};

    mutable std::mutex mu;
    std::condition_variable idle;
    std::size_t active = 0;
    std::set<int> open_fds;  // sockets still owned by connection threads
};

namespace {

// A socket file left by a daemon that died is removed; one that answers belongs
// to a live daemon and must not be stolen.
Result<void> clear_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return sys_fail("stat " + path);
    }
    if (!S_ISSOCK(st.st_mode))
        return fail(path + " exists and is not a socket; remove it or choose another --host");
    if (connect_unix(path)) return fail("another daemon is listening on " + path);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_fail("remove stale socket " + path);
    return {};
}

Result<UniqueFd> bind_unix(const std::string& path, const ServerOptions& options) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        return fail("socket path \"" + path + "\" is empty or too long");
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return sys_fail("socket");
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return sys_fail("bind " + path);
    // A socket file nobody will ever listen on must not stay behind.
    ScopeExit remove_on_failure([&] { ::unlink(path.c_str()); });
    if (::chmod(path.c_str(), options.mode) != 0) return sys_fail("chmod " + path);
    if (!options.group.empty()) {
        if (group* g = ::getgrnam(options.group.c_str()))
            if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0)
                return sys_fail("chown " + path + " to group " + options.group);
    }
    if (::listen(fd.get(), SOMAXCONN) != 0) return sys_fail("listen on " + path);
    remove_on_failure.dismiss();
    return fd;
}

Peer peer_of(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return Peer{};
    return Peer{cred.pid, cred.uid, cred.gid};
}

void connection_thread(std::shared_ptr<Server::State> state, int fd) {
    Connection conn{UniqueFd(fd)};
    bool hijacked = false;
    conn.on_hijack = [&](int sock) {
        std::lock_guard lock(state->mu);
        state->open_fds.erase(sock);
        hijacked = true;
    };
    serve_connection(conn, peer_of(fd), *state->router, state->options.idle_timeout_ms,
                     state->stopping);
    std::lock_guard lock(state->mu);
    // Closed under the lock: stop() must never shut down a reused fd number.
    if (!hijacked) state->open_fds.erase(fd);
    conn.fd.reset();
    --state->active;
    state->idle.notify_all();
}

Result<void> start_connection(const std::shared_ptr<Server::State>& state, UniqueFd sock) {
    std::lock_guard lock(state->mu);
    int fd = sock.get();
    std::thread thread(connection_thread, state, fd);  // may throw: sock still owns fd
    sock.release();
    state->open_fds.insert(fd);
    ++state->active;
    thread.detach();
    return {};
}

}  // namespace

Result<Server> Server::listen_unix(const std::string& path, const Router& router,
                                   ServerOptions options) {
    BERTH_TRYV(clear_stale_socket(path));
    auto state = std::make_shared<State>();
    state->path = path;
    state->router = &router;
    state->options = std::move(options);
    state->listener = BERTH_TRY(bind_unix(path, state->options));
    state->wake = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!state->wake) return sys_fail("eventfd");
    return Server(std::move(state));
}

Server::Server(Server&&) noexcept = default;
Server& Server::operator=(Server&&) noexcept = default;

Server::~Server() {
    if (state_) stop();
}

Result<void> Server::serve() {
    pollfd fds[2] = {{state_->listener.get(), POLLIN, 0}, {state_->wake.get(), POLLIN, 0}};
    while (!state_->stopping.load()) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_fail("poll on " + state_->path);
        }
        if (!(fds[0].revents & POLLIN)) continue;
        UniqueFd sock(::accept4(state_->listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!sock) {
            // The client gave up before accept, or fds ran out for a moment: keep serving.
            log::warn("api: accept on " + state_->path + ": " + std::strerror(errno));
            continue;
        }
        try {
            BERTH_TRYV(start_connection(state_, std::move(sock)));
        } catch (const std::system_error& e) {  // no thread could be created
            log::error(std::string("api: cannot start a connection thread: ") + e.what());
        }
    }
    return {};
}

void Server::stop() {
    if (!state_ || state_->stopping.exchange(true)) return;
    std::uint64_t one = 1;
    (void)!::write(state_->wake.get(), &one, sizeof one);
    std::unique_lock lock(state_->mu);
    for (int fd : state_->open_fds) ::shutdown(fd, SHUT_RDWR);
    bool ended = state_->idle.wait_for(lock, std::chrono::milliseconds(state_->options.stop_timeout_ms),
                                       [&] { return state_->active == 0; });
    if (!ended)
        log::warn("api: " + std::to_string(state_->active) + " connections still open at shutdown");
    ::unlink(state_->path.c_str());
}

std::size_t Server::active_connections() const {
    std::lock_guard lock(state_->mu);
    return state_->active;
}

}  // namespace berth::http

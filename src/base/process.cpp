#include "base/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/pidfd.hpp"
#include "base/scope_exit.hpp"
#include "base/unique_fd.hpp"

namespace berth {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
    UniqueFd read, write;
};

Result<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return sys_fail("pipe2");
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<void> set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return sys_fail("fcntl O_NONBLOCK");
    return {};
}

// NULL-terminated char* array view of strings that outlive it.
std::vector<char*> c_array(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// Writing the child's stdin after it exited (or closed stdin) must give EPIPE, not
// kill us: SIGPIPE is blocked in this thread while we run the child, and one raised
// by our own write is consumed before the old mask comes back.
class SigpipeBlocked {
  public:
    SigpipeBlocked() {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;
    ~SigpipeBlocked() {
        if (!was_pending_) {
            sigset_t pipe_set;
            sigemptyset(&pipe_set);
            sigaddset(&pipe_set, SIGPIPE);
            const timespec zero{};
            while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }

  private:
    sigset_t old_{};
    bool was_pending_ = false;
};

class SpawnSetup {
  public:
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions_);
        posix_spawnattr_init(&attr_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attr_);
    }
    posix_spawn_file_actions_t actions_;
    posix_spawnattr_t attr_;
};

// Starts the child with the pipes as 0/1/2 and nothing else open; a clean signal
// mask and default dispositions, since the caller may block or ignore signals.
Result<pid_t> spawn_child(const ProgramSpec& spec, int in, int out, int err) {
    SpawnSetup s;
    int rc = posix_spawn_file_actions_adddup2(&s.actions_, in, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions_, out, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&s.actions_, err, 2);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&s.actions_, 3);
    if (rc != 0) return sys_fail("posix_spawn file actions", rc);

    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&s.attr_, &none);
    posix_spawnattr_setsigdefault(&s.attr_, &all);
    posix_spawnattr_setflags(&s.attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> argv_storage = spec.argv;
    if (argv_storage.empty()) argv_storage.push_back(spec.path);
    auto argv = c_array(argv_storage);
    auto envp = c_array(spec.env);
    pid_t pid = -1;
    // glibc's posix_spawn reports the child's execve errno as its return value.
    rc = ::posix_spawn(&pid, spec.path.c_str(), &s.actions_, &s.attr_, argv.data(), envp.data());
    if (rc != 0) return sys_fail("exec", rc);
    return pid;
}

// Appends what `fd` has to `into` up to `limit` bytes (the rest is read and
// dropped so the child never blocks on a full pipe). Returns false at EOF.
bool read_some(int fd, std::string& into, std::size_t limit) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno == EAGAIN;  // a real read error ends the stream too
        if (n == 0) return false;
        std::size_t keep =
            std::min(static_cast<std::size_t>(n), limit - std::min(limit, into.size()));
        into.append(buf, keep);
    }
}

int poll_timeout_ms(std::optional<Clock::time_point> deadline) {
    if (!deadline) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

struct Child {
    pid_t pid;
    UniqueFd pidfd;
    UniqueFd in, out, err;  // our ends
};

// Feeds stdin and collects output until the child exits or the deadline passes.
// Returns true when the child exited, false on timeout.
Result<bool> pump_until_exit(Child& c, const ProgramSpec& spec, ProgramResult& r) {
    std::string_view to_write = spec.stdin_data;
    if (to_write.empty()) c.in.reset();
    std::optional<Clock::time_point> deadline;
    if (spec.timeout) deadline = Clock::now() + *spec.timeout;

    for (;;) {
        pollfd fds[4] = {{c.pidfd.get(), POLLIN, 0},
                         {c.in.get(), POLLOUT, 0},
                         {c.out.get(), POLLIN, 0},
                         {c.err.get(), POLLIN, 0}};  // fd -1 entries are skipped
        int n = ::poll(fds, 4, poll_timeout_ms(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_fail("poll");
        if (n == 0) return false;
        if (fds[1].revents) {
            ssize_t w = ::write(c.in.get(), to_write.data(), to_write.size());
            if (w > 0) to_write.remove_prefix(static_cast<std::size_t>(w));
            // EPIPE: the child closed stdin without reading it all; that's its call.
            if (to_write.empty() || (w < 0 && errno != EAGAIN && errno != EINTR)) c.in.reset();
        }
        if (fds[2].revents && !read_some(c.out.get(), r.stdout_text, spec.output_limit))
            c.out.reset();
        if (fds[3].revents && !read_some(c.err.get(), r.stderr_text, spec.output_limit))
            c.err.reset();
        if (fds[0].revents) return true;
    }
}

}  // namespace

std::string ProgramResult::describe_end(const ProgramSpec& spec) const {
    switch (end) {
        case End::exited:
            return "exited with status " + std::to_string(code);
        case End::signaled: {
            const char* abbrev = sigabbrev_np(code);
            return "killed by signal " +
                   (abbrev ? "SIG" + std::string(abbrev) : std::to_string(code));
        }
        case End::timed_out: {
            auto ms = spec.timeout.value_or(std::chrono::milliseconds(0)).count();
            return "timed out after " +
                   (ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms");
        }
    }
    return "ended";
}

Result<ProgramResult> run_program(const ProgramSpec& spec) {
    auto in = BERTH_TRY(make_pipe());
    auto out = BERTH_TRY(make_pipe());
    auto err = BERTH_TRY(make_pipe());
    SigpipeBlocked no_sigpipe;
    pid_t pid = BERTH_TRY(spawn_child(spec, in.read.get(), out.write.get(), err.write.get()));
    // Until it is reaped, any way out of here kills and reaps the child.
    ScopeExit reap([pid] {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    });
    Child c{pid, BERTH_TRY(pidfd_open(pid)), std::move(in.write), std::move(out.read),
            std::move(err.read)};
    in.read.reset();
    out.write.reset();
    err.write.reset();
    for (int fd : {c.in.get(), c.out.get(), c.err.get()}) BERTH_TRYV(set_nonblocking(fd));

    ProgramResult r;
    bool exited = BERTH_TRY(pump_until_exit(c, spec, r));
    if (!exited) {
        r.end = ProgramResult::End::timed_out;
        return r;  // `reap` kills it
    }
    // It is gone; take what output is already buffered but don't wait for EOF: a
    // grandchild it left behind may hold the pipes open for ever.
    if (c.out) read_some(c.out.get(), r.stdout_text, spec.output_limit);
    if (c.err) read_some(c.err.get(), r.stderr_text, spec.output_limit);

    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(c.pidfd.get()), &info, WEXITED) != 0) {
        if (errno != EINTR) return sys_fail("waitid");
    }
    reap.dismiss();
    r.end = info.si_code == CLD_EXITED ? ProgramResult::End::exited : ProgramResult::End::signaled;
    r.code = info.si_status;
    return r;
}

}  // namespace berth

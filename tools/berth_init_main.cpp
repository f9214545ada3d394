// berth-init: the init a container gets with `--init` (mounted at /sbin/docker-init).
// As pid 1 it runs the command after "--", passes on every signal it can catch
// to it, reaps every zombie reparented to it, and exits with the command's status
// (128 + signal number when a signal killed it). Plain libc on purpose: it is
// linked statically and bind-mounted into images that may have no libc at all.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Signals raised by a fault of this very process: blocking them would turn a
// crash into a hang, so they keep their default action.
bool is_synchronous(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP ||
           sig == SIGSYS || sig == SIGABRT;
}

sigset_t forwarded_signals() {
    sigset_t set;
    sigfillset(&set);
    for (int sig = 1; sig < NSIG; ++sig)
        if (is_synchronous(sig)) sigdelset(&set, sig);
    return set;
}

[[noreturn]] void run_child(char** argv, const sigset_t& original_mask) {
    // The command starts as if exec'd directly: default mask, default handlers
    // (exec resets handlers; the mask it keeps, so it is restored here).
    sigprocmask(SIG_SETMASK, &original_mask, nullptr);
    execvp(argv[0], argv);
    int err = errno;
    std::fprintf(stderr, "berth-init: exec %s: %s\n", argv[0], std::strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

// Reaps every exited child; returns true once `child` is among them.
bool reap(pid_t child, int& child_status) {
    bool child_done = false;
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return child_done;  // 0: none left exited; -1 ECHILD: no children
        if (pid == child) {
            child_status = status;
            child_done = true;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    int first = 1;
    if (first < argc && std::strcmp(argv[first], "--") == 0) ++first;
    if (first >= argc) {
        std::fprintf(stderr, "usage: berth-init [--] command [args...]\n");
        return 2;
    }
    // Outside pid 1 (tests, nested use) orphans would go elsewhere; a subreaper
    // gets them the way pid 1 does.
    if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    sigset_t forwarded = forwarded_signals(), original;
    sigprocmask(SIG_BLOCK, &forwarded, &original);
    pid_t child = fork();
    if (child < 0) {
        std::fprintf(stderr, "berth-init: fork: %s\n", std::strerror(errno));
        return 1;
    }
    if (child == 0) run_child(argv + first, original);

    int child_status = 0;
    for (;;) {
        siginfo_t info{};
        int sig = sigwaitinfo(&forwarded, &info);
        if (sig < 0) {
            if (errno == EINTR) continue;
            std::fprintf(stderr, "berth-init: sigwaitinfo: %s\n", std::strerror(errno));
            return 1;
        }
        if (sig == SIGCHLD) {
            if (reap(child, child_status)) break;
            continue;
        }
        // The child may have just exited; ESRCH is not worth a word.
        kill(child, sig);
    }
    // Grandchildren still running are left to whoever reaps after us (the
    // kernel kills them with the pid namespace when we are pid 1).
    reap(-1, child_status);
    return exit_code_of(child_status);
}

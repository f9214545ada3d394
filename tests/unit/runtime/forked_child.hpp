// Test helper: runs a function in a forked child (so that credential, capability
// and seccomp changes never touch the test process) and brings back the text it
// returns as "key=value" lines. The child has an alarm so a test can't hang, and
// the parent always reaps it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <sstream>
#include <string>

namespace berth::test {

class ForkedChild {
public:
    explicit ForkedChild(const std::function<std::string()>& body, unsigned timeout_s = 10) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::alarm(timeout_s);
            ::close(fds[0]);
            std::string out = body();
            for (size_t off = 0; off < out.size();) {
                ssize_t n = ::write(fds[1], out.data() + off, out.size() - off);
                if (n <= 0) break;
                off += static_cast<size_t>(n);
            }
            ::_exit(0);
        }
        ::close(fds[1]);
        read_fd_ = fds[0];
    }
    ForkedChild(const ForkedChild&) = delete;
    ForkedChild& operator=(const ForkedChild&) = delete;
    ~ForkedChild() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            finish();
        }
        if (read_fd_ >= 0) ::close(read_fd_);
    }

    pid_t pid() const { return pid_; }

    // Reads everything the child wrote and reaps it.
    std::string finish() {
        std::string out;
        if (pid_ <= 0) return out;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(read_fd_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            out.append(buf, static_cast<size_t>(n));
        }
        while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        return out;
    }
    int status() const { return status_; }
    bool exited_cleanly() const { return WIFEXITED(status_) && WEXITSTATUS(status_) == 0; }

private:
    pid_t pid_ = -1;
    int read_fd_ = -1;
    int status_ = 0;
    bool reaped_ = false;
};

// Runs `body` in a child and returns its report as key -> value; "status" holds
// how the child ended ("ok" or the raw wait status).
inline std::map<std::string, std::string> run_in_child(const std::function<std::string()>& body) {
    ForkedChild child(body);
    std::map<std::string, std::string> report;
    std::istringstream in(child.finish());
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq != std::string::npos) report[line.substr(0, eq)] = line.substr(eq + 1);
    }
    report["status"] = child.exited_cleanly() ? "ok" : std::to_string(child.status());
    return report;
}

}  // namespace berth::test

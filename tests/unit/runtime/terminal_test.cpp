#include "runtime/terminal.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/file.hpp"
#include "base/unix_socket.hpp"
#include "test_support.hpp"

namespace berth::runtime {
namespace {

// Reads from `fd` until `want` appears in what was read or `ms` pass.
std::string read_until(int fd, std::string_view want, int ms = 3000) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (got.find(want) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[512];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
    }
    return got;
}

// Waits for a forked child; kills it first when `kill_first`. Returns its wait status.
int reap(pid_t pid, bool kill_first = false) {
    if (kill_first) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// Waits up to `ms` for a child to exit; kills it if it doesn't. True if it exited by itself.
bool wait_exit(pid_t pid, int& status, int ms = 3000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    status = reap(pid, true);
    return false;
}

winsize size_of(int fd) {
    winsize ws{};
    ::ioctl(fd, TIOCGWINSZ, &ws);
    return ws;
}

TEST(OpenPty, SetsConsoleSizeAndPairsMasterWithSlave) {
    auto pty = open_pty(oci::ConsoleSize{.height = 33, .width = 101});
    ASSERT_TRUE(pty) << pty.error().message;
    winsize ws = size_of(pty->slave.get());
    EXPECT_EQ(ws.ws_row, 33);
    EXPECT_EQ(ws.ws_col, 101);

    EXPECT_TRUE(pty->slave_path.starts_with("/dev/pts/")) << pty->slave_path;
    struct stat by_fd = {};
    struct stat by_path = {};
    ASSERT_EQ(::fstat(pty->slave.get(), &by_fd), 0);
    ASSERT_EQ(::stat(pty->slave_path.c_str(), &by_path), 0);
    EXPECT_EQ(by_fd.st_rdev, by_path.st_rdev) << "slave fd and slave_path differ";
    EXPECT_TRUE(::fcntl(pty->master.get(), F_GETFD) & FD_CLOEXEC);

    ASSERT_EQ(::write(pty->slave.get(), "out\n", 4), 4);
    EXPECT_NE(read_until(pty->master.get(), "out").find("out"), std::string::npos);
}

TEST(OpenPty, NoSizeLeavesZeroWindow) {
    auto pty = open_pty(std::nullopt);
    ASSERT_TRUE(pty) << pty.error().message;
    EXPECT_EQ(size_of(pty->slave.get()).ws_col, 0);
}

TEST(BecomeTtySession, SlaveBecomesControllingTerminalAndStdio) {
    auto pty = open_pty(std::nullopt);
    ASSERT_TRUE(pty) << pty.error().message;
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (::setsid() < 0) ::_exit(10);
        if (!become_tty_session(pty->slave.get())) ::_exit(11);
        for (int fd : {0, 1, 2})
            if (!::isatty(fd)) ::_exit(12);
        if (::tcgetsid(0) != ::getpid()) ::_exit(13);  // it is our session's terminal
        ::_exit(0);
    }
    int status = reap(pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

class ConsoleSocketTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-console-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/console.sock";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string dir_, path_;
};

TEST_F(ConsoleSocketTest, MasterArrivesAndDrivesTheSlave) {
    UniqueFd listener = test::listen_unix(path_);
    auto pty = open_pty(std::nullopt);
    ASSERT_TRUE(pty) << pty.error().message;

    // What the CLI and the init do: connect to --console-socket, send the master.
    // connect() completes against the backlog, so one thread can play both sides.
    auto sock = connect_unix(path_);
    ASSERT_TRUE(sock) << sock.error().message;
    auto sent = send_fd(sock->get(), pty->master.get(), kPtyMasterName);
    ASSERT_TRUE(sent) << sent.error().message;
    pty->master.reset();  // from here on only the received copy exists

    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(conn.valid());
    std::string name;
    UniqueFd got = test::receive_fd(conn.get(), name);
    ASSERT_TRUE(got.valid()) << "no fd in the console message";
    EXPECT_EQ(name, "/dev/ptmx");
    char slave_name[64];
    ASSERT_EQ(::ptsname_r(got.get(), slave_name, sizeof slave_name), 0);
    EXPECT_EQ(slave_name, pty->slave_path);

    ASSERT_EQ(::write(got.get(), "hello\n", 6), 6);
    EXPECT_EQ(read_until(pty->slave.get(), "hello\n"), "hello\n");
}

TEST_F(ConsoleSocketTest, MissingSocketErrorNamesThePath) {
    auto sent = connect_unix(path_);
    ASSERT_FALSE(sent);
    EXPECT_NE(sent.error().message.find(path_), std::string::npos) << sent.error().message;
    EXPECT_EQ(sent.error().sys_errno, ENOENT);
}

// The proxy runs in a child whose stdio are pipes; a grandchild plays the
// container on the slave.
TEST(ProxyTerminal, CopiesBothWaysAndReturnsWhenTheSlaveCloses) {
    auto pty = open_pty(std::nullopt);
    ASSERT_TRUE(pty) << pty.error().message;
    int to_proxy[2], from_proxy[2];
    ASSERT_EQ(::pipe2(to_proxy, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(from_proxy, O_CLOEXEC), 0);
    UniqueFd feed(to_proxy[1]), result(from_proxy[0]);
    UniqueFd proxy_in(to_proxy[0]), proxy_out(from_proxy[1]);

    pid_t container = ::fork();
    ASSERT_GE(container, 0);
    if (container == 0) {
        for (UniqueFd* fd : {&feed, &result, &proxy_in, &proxy_out, &pty->master}) fd->reset();
        // Reads one line of input and answers it, then exits: the slave closes.
        char line[64] = {};
        ssize_t n = ::read(pty->slave.get(), line, sizeof line - 1);
        if (n <= 0) ::_exit(20);
        std::string reply = "got:" + std::string(line, static_cast<size_t>(n));
        (void)!::write(pty->slave.get(), reply.data(), reply.size());
        ::_exit(0);
    }
    pid_t proxy = ::fork();
    if (proxy < 0) reap(container, true);
    ASSERT_GE(proxy, 0);
    if (proxy == 0) {
        pty->slave.reset();
        if (::dup2(proxy_in.get(), 0) < 0 || ::dup2(proxy_out.get(), 1) < 0) ::_exit(30);
        ::_exit(proxy_terminal(pty->master.get()) ? 0 : 31);
    }
    pty->slave.reset();
    pty->master.reset();
    proxy_in.reset();
    proxy_out.reset();

    ASSERT_EQ(::write(feed.get(), "ping\n", 5), 5);
    std::string out = read_until(result.get(), "\x01never", 5000);  // reads to EOF
    int container_status = 0, proxy_status = 0;
    bool container_done = wait_exit(container, container_status);
    bool proxy_done = wait_exit(proxy, proxy_status);
    EXPECT_NE(out.find("got:ping"), std::string::npos) << "proxy output: " << out;
    EXPECT_TRUE(container_done && WIFEXITED(container_status) && WEXITSTATUS(container_status) == 0)
        << "container status " << container_status;
    EXPECT_TRUE(proxy_done) << "proxy did not return after the slave closed";
    EXPECT_TRUE(WIFEXITED(proxy_status) && WEXITSTATUS(proxy_status) == 0)
        << "proxy status " << proxy_status;
}

TEST(ProxyTerminal, StdinEofDoesNotEndTheProxy) {
    auto pty = open_pty(std::nullopt);
    ASSERT_TRUE(pty) << pty.error().message;
    int out_pipe[2];
    ASSERT_EQ(::pipe2(out_pipe, O_CLOEXEC), 0);
    UniqueFd result(out_pipe[0]), proxy_out(out_pipe[1]);
    pid_t proxy = ::fork();
    ASSERT_GE(proxy, 0);
    if (proxy == 0) {
        pty->slave.reset();
        int null = ::open("/dev/null", O_RDONLY);  // immediate EOF on stdin
        if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(proxy_out.get(), 1) < 0) ::_exit(30);
        ::_exit(proxy_terminal(pty->master.get()) ? 0 : 31);
    }
    pty->master.reset();
    proxy_out.reset();
    // Output written well after stdin hit EOF must still come through.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_EQ(::write(pty->slave.get(), "late\n", 5), 5);
    std::string out = read_until(result.get(), "late");
    pty->slave.reset();
    int status = 0;
    bool done = wait_exit(proxy, status);
    EXPECT_NE(out.find("late"), std::string::npos) << "proxy output: " << out;
    EXPECT_TRUE(done && WIFEXITED(status) && WEXITSTATUS(status) == 0) << "proxy status " << status;
}

// Our stdio is itself a terminal here (an outer pty standing in for the user's):
// it goes raw during the proxy and back after, and its size follows SIGWINCH.
TEST(ProxyTerminal, RawModeAndWindowSizeFollowTheOuterTerminal) {
    auto outer = open_pty(oci::ConsoleSize{.height = 30, .width = 100});
    auto inner = open_pty(std::nullopt);
    ASSERT_TRUE(outer && inner);
    pid_t proxy = ::fork();
    ASSERT_GE(proxy, 0);
    if (proxy == 0) {
        inner->slave.reset();
        outer->master.reset();
        if (::dup2(outer->slave.get(), 0) < 0 || ::dup2(outer->slave.get(), 1) < 0) ::_exit(30);
        ::_exit(proxy_terminal(inner->master.get()) ? 0 : 31);
    }
    inner->master.reset();
    auto cleanup_on_failure = [&] { reap(proxy, true); };

    // Once output flows the proxy is past its setup.
    ASSERT_EQ(::write(inner->slave.get(), "a\n", 2), 2);
    if (read_until(outer->master.get(), "a").find('a') == std::string::npos) {
        cleanup_on_failure();
        FAIL() << "no output through the proxy";
    }
    termios t{};
    ASSERT_EQ(::tcgetattr(outer->slave.get(), &t), 0);
    EXPECT_FALSE(t.c_lflag & ICANON) << "outer terminal not raw during the proxy";
    EXPECT_EQ(size_of(inner->slave.get()).ws_row, 30);
    EXPECT_EQ(size_of(inner->slave.get()).ws_col, 100);

    winsize bigger{};
    bigger.ws_row = 50;
    bigger.ws_col = 132;
    ASSERT_EQ(::ioctl(outer->master.get(), TIOCSWINSZ, &bigger), 0);
    ::kill(proxy, SIGWINCH);
    for (int i = 0; i < 300 && size_of(inner->slave.get()).ws_col != 132; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(size_of(inner->slave.get()).ws_row, 50);
    EXPECT_EQ(size_of(inner->slave.get()).ws_col, 132);

    inner->slave.reset();
    int status = 0;
    bool done = wait_exit(proxy, status);
    EXPECT_TRUE(done && WIFEXITED(status) && WEXITSTATUS(status) == 0) << "proxy status " << status;
    ASSERT_EQ(::tcgetattr(outer->slave.get(), &t), 0);
    EXPECT_TRUE(t.c_lflag & ICANON) << "outer terminal mode not restored";
}

}  // namespace
}  // namespace berth::runtime

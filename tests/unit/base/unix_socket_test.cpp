#include "base/unix_socket.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "base/file.hpp"
#include "test_support.hpp"

namespace berth {
namespace {

std::pair<UniqueFd, UniqueFd> stream_pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

class UnixSocketTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-sock-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string dir_;
};

TEST_F(UnixSocketTest, ConnectToAMissingSocketNamesThePath) {
    std::string path = dir_ + "/nobody-listens";
    auto r = connect_unix(path);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().sys_errno, ENOENT);
}

TEST_F(UnixSocketTest, ConnectToAFileThatIsNoSocketFails) {
    std::string path = dir_ + "/plain";
    ASSERT_TRUE(write_file_atomic(path, "x"));
    auto r = connect_unix(path);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
}

TEST_F(UnixSocketTest, TooLongOrEmptyPathIsRefusedUpFront) {
    std::string longp = "/tmp/" + std::string(200, 'x');
    auto r = connect_unix(longp);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(longp), std::string::npos) << r.error().message;
    EXPECT_FALSE(connect_unix(""));
}

TEST_F(UnixSocketTest, ConnectsToAListener) {
    std::string path = dir_ + "/s";
    auto listener = test::listen_unix(path);
    auto c = connect_unix(path);
    ASSERT_TRUE(c) << c.error().message;
    UniqueFd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(accepted);
    ASSERT_EQ(::write(c->get(), "ping", 4), 4);
    char buf[4];
    ASSERT_EQ(::read(accepted.get(), buf, 4), 4);
    EXPECT_EQ(std::string(buf, 4), "ping");
}

TEST_F(UnixSocketTest, SendAndReceiveAnFdWithData) {
    auto [a, b] = stream_pair();
    std::string file = dir_ + "/f";
    ASSERT_TRUE(write_file_atomic(file, "contents of f"));
    UniqueFd f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(send_fd(a.get(), f.get(), "{\"hello\":1}"));
    a.reset();
    auto r = recv_fd(b.get());
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->fd);
    EXPECT_EQ(r->data, "{\"hello\":1}");
    EXPECT_NE(r->fd.get(), f.get());
    EXPECT_TRUE(::fcntl(r->fd.get(), F_GETFD) & FD_CLOEXEC);
    struct stat got {
    }, want{};
    ASSERT_EQ(::fstat(r->fd.get(), &got), 0);
    ASSERT_EQ(::fstat(f.get(), &want), 0);
    EXPECT_EQ(got.st_ino, want.st_ino);
    EXPECT_EQ(got.st_dev, want.st_dev);
    auto text = read_fd(r->fd.get());
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "contents of f");
}

TEST_F(UnixSocketTest, EmptyDataStillCarriesTheFd) {
    auto [a, b] = stream_pair();
    UniqueFd f(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(send_fd(a.get(), f.get(), ""));
    auto r = recv_fd(b.get());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->fd);
    EXPECT_EQ(r->data.size(), 1u) << "one byte travels with the fd";
}

TEST_F(UnixSocketTest, DataLongerThanOneReceiveArrivesWhole) {
    // A seccomp agent's process state can exceed recv_fd's buffer; the fd comes
    // with the first bytes and the rest follows on the stream.
    auto [a, b] = stream_pair();
    std::string data;
    for (int i = 0; data.size() < 300000; ++i) data += std::to_string(i) + ",";
    UniqueFd f(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    // The socket buffer holds less than `data`: the reader must run concurrently.
    pid_t writer = ::fork();
    if (writer == 0) {
        b.reset();
        ::_exit(send_fd(a.get(), f.get(), data) ? 0 : 1);
    }
    a.reset();
    auto r = recv_fd(b.get());
    auto rest = read_fd(b.get());
    b.reset();  // a writer still sending gets EPIPE now, so it always exits
    int status = 0;
    ASSERT_EQ(::waitpid(writer, &status, 0), writer);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "send_fd failed in the writer";
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->fd);
    EXPECT_GT(r->data.size(), 0u);
    ASSERT_TRUE(rest) << rest.error().message;
    EXPECT_EQ(r->data + *rest, data);
}

TEST_F(UnixSocketTest, RecvOnAClosedPeerIsAnInvalidFdNotAnError) {
    auto [a, b] = stream_pair();
    a.reset();
    auto r = recv_fd(b.get());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->fd);
    EXPECT_TRUE(r->data.empty());
}

TEST_F(UnixSocketTest, BytesWithoutAnFdAreAnError) {
    auto [a, b] = stream_pair();
    ASSERT_EQ(::write(a.get(), "no fd", 5), 5);
    auto r = recv_fd(b.get());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no file descriptor"), std::string::npos) << r.error().message;
}

TEST_F(UnixSocketTest, SendToAClosedPeerFailsWithoutSigpipe) {
    auto [a, b] = stream_pair();
    b.reset();
    UniqueFd f(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    auto r = send_fd(a.get(), f.get(), "x");  // SIGPIPE would kill the test binary
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, EPIPE);
}

}  // namespace
}  // namespace berth

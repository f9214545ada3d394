// A daemon-side HTTP server on a thread in a temporary directory, and a raw
// socket client that writes bytes and reads answers without berth's HTTP code,
// so that tests check the server against the protocol, not against itself.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"
#include "base/unix_socket.hpp"
#include "image/digest.hpp"
#include "test_support.hpp"

namespace berth::test {

// Reads a request body to its end, hashing it, as an image load would: the digest,
// or "error: ..." when the body broke; `total` gets the bytes read.
inline std::string hash_body(ByteReader& body, std::size_t& total) {
    image::Sha256 sha;
    std::vector<char> buf(100000);
    total = 0;
    for (;;) {
        auto n = body.read(buf.data(), buf.size());
        if (!n) return "error: " + n.error().message;
        if (*n == 0) return sha.finish().str();
        sha.update(buf.data(), *n);
        total += *n;
    }
}

class HttpServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-http-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir = tmpl;
        path = dir + "/api.sock";
    }
    void TearDown() override {
        stop();
        std::filesystem::remove_all(dir);
    }

    // Starts serving the routes registered so far.
    void start(http::ServerOptions options = {}) {
        options.stop_timeout_ms = 2000;
        auto s = http::Server::listen_unix(path, router, options);
        ASSERT_TRUE(s) << s.error().message;
        server.emplace(std::move(*s));
        thread = std::thread([this] { serve_result = server->serve(); });
    }
    void stop() {
        if (server) server->stop();
        if (thread.joinable()) thread.join();
    }

    UniqueFd raw_connect() {
        auto fd = connect_unix(path);
        EXPECT_TRUE(fd) << fd.error().message;
        return fd ? std::move(*fd) : UniqueFd();
    }

    std::string dir, path;
    http::Router router;
    std::optional<http::Server> server;
    std::thread thread;
    Result<void> serve_result;
};

inline void send_raw(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        ASSERT_GT(n, 0) << "send failed: " << std::strerror(errno);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// Everything until the peer closes (or 5 s pass).
inline std::string read_until_close(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    return out;
}

struct RawResponse {
    int status = 0;
    std::string head;  // status line and fields, CRLFs included
    std::string body;
};

// One Content-Length-framed response (what the server sends for whole bodies).
inline RawResponse read_response(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string data;
    char c;
    while (data.find("\r\n\r\n") == std::string::npos && ::read(fd, &c, 1) == 1) data += c;
    RawResponse r;
    r.head = data;
    if (data.size() > 12) r.status = std::atoi(data.c_str() + 9);
    auto cl = data.find("Content-Length: ");
    size_t length = cl == std::string::npos ? 0 : std::strtoul(data.c_str() + cl + 16, nullptr, 10);
    r.body.resize(length);
    size_t got = 0;
    while (got < length) {
        ssize_t n = ::read(fd, r.body.data() + got, length - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    r.body.resize(got);
    return r;
}

}  // namespace berth::test

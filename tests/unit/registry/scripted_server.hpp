// A scripted HTTP server for the registry client's unit tests.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.hpp"

namespace berth::registry {

// A one-thread HTTP server on 127.0.0.1 that answers each connection's request
// with the next scripted response ("" = accept, read, and never answer; "{port}"
// is replaced by the server's port).
class ScriptedServer {
  public:
    explicit ScriptedServer(std::vector<std::string> script) : script_(std::move(script)) {
        fd_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
        EXPECT_EQ(::listen(fd_.get(), 8), 0);
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedServer() {
        stop_ = true;
        thread_.join();
    }
    int port() const { return port_; }
    std::vector<std::string> requests() {
        std::lock_guard lock(mu_);
        return requests_;
    }

  private:
    // Reads the rest of a request body announced by Content-Length (so closing
    // the connection does not reset it under the client), appending it to `request`.
    static void read_body(int fd, std::string& request) {
        auto end = request.find("\r\n\r\n");
        auto at = request.find("Content-Length: ");
        if (end == std::string::npos || at == std::string::npos || at > end) return;
        std::size_t want = end + 4 + std::stoul(request.substr(at + 16));
        char buf[4096];
        while (request.size() < want) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) return;
            request.append(buf, static_cast<std::size_t>(n));
        }
    }

    void serve() {
        for (std::size_t i = 0; i < script_.size() && !stop_;) {
            pollfd p{fd_.get(), POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            UniqueFd c(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
            std::string head;
            char buf[4096];
            while (head.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = ::read(c.get(), buf, sizeof buf);
                if (n <= 0) break;
                head.append(buf, static_cast<std::size_t>(n));
            }
            read_body(c.get(), head);
            {
                std::lock_guard lock(mu_);
                requests_.push_back(head);
            }
            std::string answer = script_[i++];
            if (auto at = answer.find("{port}"); at != std::string::npos)
                answer.replace(at, 6, std::to_string(port_));
            if (answer.empty()) {
                while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                return;
            }
            (void)::write(c.get(), answer.data(), answer.size());
        }
    }

    std::vector<std::string> script_;
    UniqueFd fd_;
    int port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::vector<std::string> requests_;
};

}  // namespace berth::registry

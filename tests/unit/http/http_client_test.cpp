#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <future>

#include "http/client.hpp"
#include "http/router.hpp"
#include "base/json.hpp"
#include "http_test_support.hpp"
#include "image/digest.hpp"

namespace berth::http {
namespace {

using namespace std::chrono_literals;

// A generated stream of `size` bytes, read in the pieces a file would give.
class PatternReader final : public ByteReader {
  public:
    explicit PatternReader(std::size_t size) : left_(size) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        std::size_t n = std::min({size, left_, std::size_t(70000)});
        for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>((pos_ + i) * 31 >> 3);
        sha.update(buf, n);
        pos_ += n;
        left_ -= n;
        return n;
    }
    image::Sha256 sha;

  private:
    std::size_t left_, pos_ = 0;
};

// A stream that fails after some bytes, as a file on a dying disk would.
class FailingReader final : public ByteReader {
  public:
    Result<std::size_t> read(char* buf, std::size_t size) override {
        if (sent_) return fail("read archive.tar: Input/output error");
        sent_ = true;
        std::size_t n = std::min<std::size_t>(size, 1000);
        std::memset(buf, 'x', n);
        return n;
    }

  private:
    bool sent_ = false;
};

class HttpClient : public test::HttpServerTest {
  protected:
    void SetUp() override {
        HttpServerTest::SetUp();
        router.add("GET", "/version", [](Request& req, ResponseWriter& w) {
            (void)w.send_json(200, Json{{"ApiVersion", "1.41"}, {"agent", req.header("User-Agent").value_or("")}});
        });
        router.add("POST", "/images/load", [](Request& req, ResponseWriter& w) {
            std::size_t total = 0;
            auto digest = test::hash_body(req.body(), total);
            (void)w.send_json(200, Json{{"digest", digest},
                                        {"size", total},
                                        {"chunked", req.header("Transfer-Encoding").value_or("")}});
        });
    }

    Client connect() {
        auto c = Client::connect_unix(path);
        EXPECT_TRUE(c) << c.error().message;
        return std::move(*c);
    }
};

TEST_F(HttpClient, ExplainsAMissingDaemon) {
    auto c = Client::connect_unix(dir + "/nothing.sock");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().sys_errno, ENOENT);
    EXPECT_EQ(c.error().message,
              "Cannot connect to the berth daemon at unix://" + dir + "/nothing.sock. Is the berth daemon running?");
}

TEST_F(HttpClient, ReadsAJsonAnswerAndReusesTheConnection) {
    start();
    Client c = connect();
    for (int i = 0; i < 3; ++i) {
        auto r = c.request("GET", "/v1.41/version");
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->headers.get("api-version").value_or(""), "1.41") << "header lookup is case-insensitive";
        auto body = r->read_body();
        ASSERT_TRUE(body);
        EXPECT_EQ(Json::parse(*body)["agent"], "berth-cli/" BERTH_VERSION);
    }
    EXPECT_EQ(server->active_connections(), 1u) << "each request opened its own connection";
}

TEST_F(HttpClient, ReconnectsWhenTheDaemonClosedAnIdleConnection) {
    ServerOptions options;
    options.idle_timeout_ms = 50;
    start(options);
    Client c = connect();
    auto first = c.request("GET", "/version");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first->read_body());
    std::this_thread::sleep_for(300ms);
    auto again = c.request("GET", "/version");
    ASSERT_TRUE(again) << "the kept-alive connection the daemon closed was not replaced: "
                       << again.error().message;
    EXPECT_EQ(again->status, 200);
}

TEST_F(HttpClient, StreamsA10MiBBodyAsChunks) {
    start();
    Client c = connect();
    PatternReader data(10 << 20);
    auto r = c.request_streamed("POST", "/images/load", {{"Content-Type", "application/x-tar"}}, data);
    ASSERT_TRUE(r) << r.error().message;
    auto j = Json::parse(r->read_body().value_or("{}"));
    EXPECT_EQ(j["chunked"], "chunked");
    EXPECT_EQ(j["size"], 10 << 20);
    EXPECT_EQ(j["digest"], data.sha.finish().str()) << "the body arrived altered";
}

TEST_F(HttpClient, AFailingBodySourceIsReportedWithoutWaitingForTheDaemon) {
    start();
    Client c = connect();
    FailingReader broken;
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.request_streamed("POST", "/images/load", {}, broken);
    ASSERT_FALSE(r) << "a body that could not be read was passed off as sent";
    EXPECT_NE(r.error().message.find("read the request body: read archive.tar"), std::string::npos)
        << r.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s) << "the client waited on the daemon";
    auto next = c.request("GET", "/version");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->status, 200);
}

TEST_F(HttpClient, GetsTheDaemonsRefusalOfABodyItDidNotRead) {
    start();
    Client c = connect();
    PatternReader data(10 << 20);
    auto r = c.request_streamed("POST", "/v1.41/no/such/route", {}, data);
    ASSERT_TRUE(r) << "the daemon's early answer was lost: " << r.error().message;
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(Json::parse(r->read_body().value_or("{}"))["message"], "page not found");
}

TEST_F(HttpClient, ReadsAChunkedAnswerAsItArrives) {
    std::promise<void> second_allowed;
    auto allowed = second_allowed.get_future().share();
    router.add("GET", "/events", [allowed](Request&, ResponseWriter& w) {
        (void)w.start_chunked(200, "application/json");
        (void)w.write_chunk("{\"status\":\"start\"}\n");
        allowed.wait_for(5s);
        (void)w.write_chunk("{\"status\":\"die\"}\n");
        (void)w.end_chunked();
    });
    start();
    Client c = connect();
    auto r = c.request("GET", "/events");
    ASSERT_TRUE(r) << r.error().message;
    char buf[256];
    auto n = r->body().read(buf, sizeof buf);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(std::string(buf, *n), "{\"status\":\"start\"}\n") << "the first event was held back";
    second_allowed.set_value();
    auto rest = read_all(r->body(), 1024);
    ASSERT_TRUE(rest) << rest.error().message;
    EXPECT_EQ(*rest, "{\"status\":\"die\"}\n");
    auto next = c.request("GET", "/version");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->status, 200);
}

TEST_F(HttpClient, HijacksWithUpgradeBothWays) {
    router.add("POST", "/containers/{id}/attach", [](Request&, ResponseWriter& w) {
        auto s = w.hijack();
        if (!s) return;
        // Written at once after the head: the client may read both in one go.
        test::send_raw(s->fd.get(), "hello ");
        std::string got = s->buffered;
        char buf[64];
        while (got.size() < 5) {
            ssize_t n = ::read(s->fd.get(), buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<size_t>(n));
        }
        test::send_raw(s->fd.get(), got);
    });
    start();
    Client c = connect();
    auto s = c.hijack("POST", "/v1.41/containers/c1/attach?stream=1&stdin=1");
    ASSERT_TRUE(s) << s.error().message;
    test::send_raw(s->fd.get(), "input");
    std::string got = s->buffered + test::read_until_close(s->fd.get());
    EXPECT_EQ(got, "hello input") << "stream bytes were lost around the 101 head";
    auto after = c.request("GET", "/version");
    ASSERT_TRUE(after) << "the client did not reconnect after a hijack: " << after.error().message;
    EXPECT_EQ(after->status, 200);
}

TEST_F(HttpClient, HijackKeepsStreamBytesThatCameWithTheHead) {
    // The 101 head and the stream's first bytes in one write, as a busy daemon sends them.
    auto listener = test::listen_unix(path);
    ASSERT_TRUE(listener);
    std::thread fake([&] {
        UniqueFd conn(::accept(listener.get(), nullptr, nullptr));
        char buf[4096];
        (void)!::read(conn.get(), buf, sizeof buf);
        test::send_raw(conn.get(),
                       "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                       "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst output");
    });
    Client c = connect();
    auto s = c.hijack("POST", "/containers/c1/attach");
    fake.join();
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->buffered + test::read_until_close(s->fd.get()), "first output");
}

TEST_F(HttpClient, HijackRefusalCarriesTheDaemonsMessage) {
    start();
    Client c = connect();
    auto s = c.hijack("POST", "/containers/nope/attach");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("404: page not found"), std::string::npos) << s.error().message;
}

TEST_F(HttpClient, ReadsABodyThatEndsAtClose) {
    // A server without Content-Length or chunking (an HTTP/1.0-style proxy).
    auto listener = test::listen_unix(path);
    ASSERT_TRUE(listener);
    std::thread fake([&] {
        UniqueFd conn(::accept(listener.get(), nullptr, nullptr));
        char buf[4096];
        (void)!::read(conn.get(), buf, sizeof buf);
        test::send_raw(conn.get(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
    });
    Client c = connect();
    auto r = c.request("GET", "/x");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->read_body().value_or("<error>"), "until the end");
    fake.join();
}

}  // namespace
}  // namespace berth::http

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <future>

#include "http/router.hpp"
#include "base/json.hpp"
#include "http_test_support.hpp"
#include "image/digest.hpp"

namespace berth::http {
namespace {

using namespace std::chrono_literals;

using test::hash_body;

class HttpServer : public test::HttpServerTest {
  protected:
    void SetUp() override {
        HttpServerTest::SetUp();
        router.add("GET", "/hello", [](Request&, ResponseWriter& w) { (void)w.send(200, "text/plain", "hi"); });
        router.add("POST", "/ignore", [](Request&, ResponseWriter& w) { (void)w.send(204, "", ""); });
        router.add("POST", "/hash", [](Request& req, ResponseWriter& w) {
            std::size_t total = 0;
            std::string digest = hash_body(req.body(), total);
            (void)w.send_json(200, Json{{"digest", digest}, {"size", total}});
        });
    }
    Json json_of(const test::RawResponse& r) { return Json::parse(r.body, nullptr, false); }
};

TEST_F(HttpServer, KeepsTheConnectionForASecondRequest) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    auto first = test::read_response(fd.get());
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    auto second = test::read_response(fd.get());
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(second.status, 200) << "the second request on a keep-alive connection went unanswered";
    EXPECT_EQ(second.body, "hi");
    EXPECT_EQ(first.head.find("Connection: close"), std::string::npos) << first.head;
}

TEST_F(HttpServer, AnswersPipelinedRequestsInOrder) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(),
                   "POST /hash HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /hello HTTP/1.1\r\n\r\n");
    auto first = test::read_response(fd.get());
    auto second = test::read_response(fd.get());
    EXPECT_EQ(json_of(first)["digest"], image::sha256_of("abc").str());
    EXPECT_EQ(second.body, "hi");
}

TEST_F(HttpServer, ClosesAfterConnectionClose) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n");
    std::string all = test::read_until_close(fd.get());
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
    EXPECT_TRUE(all.ends_with("\r\n\r\nhi")) << all;
}

TEST_F(HttpServer, ClosesAfterAnHttp10Request) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.0\r\n\r\n");
    std::string all = test::read_until_close(fd.get());
    EXPECT_TRUE(all.ends_with("hi")) << "HTTP/1.0 connection was not closed after the answer: " << all;
}

TEST_F(HttpServer, SkipsAnUnreadBodyAndKeepsServing) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "POST /ignore HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345");
    EXPECT_EQ(test::read_response(fd.get()).status, 204);
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).body, "hi") << "the unread body was taken for the next request";
}

TEST_F(HttpServer, ReadsOnPastALargeUnreadBodySoTheClientCanFinishWriting) {
    // A client writing its whole upload before reading the answer (Go's does so
    // concurrently) must not get EPIPE for the body the handler ignored.
    start();
    auto fd = raw_connect();
    const std::string body(2 << 20, 'x');  // past the drain limit: the connection ends
    std::promise<int> write_errno;
    std::thread sender([&] {
        std::string all = "POST /ignore HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
        std::string_view rest = all;
        while (!rest.empty()) {
            ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0) return write_errno.set_value(errno);
            rest.remove_prefix(static_cast<size_t>(n));
        }
        write_errno.set_value(0);
    });
    auto sent = write_errno.get_future();
    ASSERT_EQ(sent.wait_for(5s), std::future_status::ready) << "the server stopped reading the body";
    sender.join();
    int err = sent.get();
    EXPECT_EQ(err, 0) << "writing the unread body failed: " << std::strerror(err);
    std::string all = test::read_until_close(fd.get());
    EXPECT_TRUE(all.starts_with("HTTP/1.1 204")) << all.substr(0, 200);
}

TEST_F(HttpServer, StreamsA10MiBChunkedBody) {
    start();
    std::string data(10 << 20, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
    auto fd = raw_connect();
    std::thread sender([&] {
        test::send_raw(fd.get(), "POST /hash HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (std::size_t off = 0; off < data.size(); off += 100000) {
            std::size_t n = std::min<std::size_t>(100000, data.size() - off);
            char size[32];
            std::snprintf(size, sizeof size, "%zx;ext=1\r\n", n);
            test::send_raw(fd.get(), size);
            test::send_raw(fd.get(), std::string_view(data).substr(off, n));
            test::send_raw(fd.get(), "\r\n");
        }
        test::send_raw(fd.get(), "0\r\nX-Trailer: t\r\n\r\n");
    });
    auto r = test::read_response(fd.get());
    sender.join();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r)["size"], data.size());
    EXPECT_EQ(json_of(r)["digest"], image::sha256_of(data).str());
}

TEST_F(HttpServer, HandlerReadsTheBodyBeforeItIsAllSent) {
    std::promise<std::string> first_bytes;
    std::promise<void> release;
    router.add("POST", "/slow", [&](Request& req, ResponseWriter& w) {
        char buf[5];
        auto ok = read_exact(req.body(), buf, sizeof buf);
        first_bytes.set_value(ok ? std::string(buf, 5) : "error");
        std::size_t total = 0;
        hash_body(req.body(), total);
        (void)w.send_json(200, Json{{"rest", total}});
    });
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "POST /slow HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
    auto got = first_bytes.get_future();
    ASSERT_EQ(got.wait_for(5s), std::future_status::ready) << "the body was not handed over as it came";
    EXPECT_EQ(got.get(), "first");
    test::send_raw(fd.get(), "4\r\nmore\r\n0\r\n\r\n");
    EXPECT_EQ(json_of(test::read_response(fd.get()))["rest"], 4);
}

TEST_F(HttpServer, AnswersExpect100ContinueWhenTheBodyIsRead) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "POST /hash HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    auto interim = test::read_response(fd.get());
    EXPECT_EQ(interim.status, 100) << interim.head;
    test::send_raw(fd.get(), "abc");
    auto final_answer = test::read_response(fd.get());
    EXPECT_EQ(final_answer.status, 200);
    EXPECT_EQ(json_of(final_answer)["digest"], image::sha256_of("abc").str());
}

TEST_F(HttpServer, NoContinueAndCloseWhenTheBodyIsNotWanted) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "POST /ignore HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    std::string all = test::read_until_close(fd.get());
    EXPECT_TRUE(all.starts_with("HTTP/1.1 204 ")) << "expected the final answer without 100: " << all;
}

TEST_F(HttpServer, MalformedRequestLineIs400AndOthersAreStillServed) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "THIS IS NOT HTTP\r\n\r\n");
    auto r = test::read_response(fd.get());
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(json_of(r).contains("message")) << r.body;
    auto other = raw_connect();
    test::send_raw(other.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(other.get()).body, "hi");
}

TEST_F(HttpServer, MalformedHeaderIs400) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\nBad Header: x\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).status, 400);
}

TEST_F(HttpServer, ConflictingFramingIs400) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(),
                   "POST /hash HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).status, 400);
}

TEST_F(HttpServer, OversizedHeadIs431) {
    start();
    auto fd = raw_connect();
    std::thread sender([&] {
        std::string big = "GET /hello HTTP/1.1\r\nX-Big: " + std::string(kMaxRequestHead + 10, 'a');
        ::send(fd.get(), big.data(), big.size(), MSG_NOSIGNAL);  // the server may stop reading
    });
    auto r = test::read_response(fd.get());
    sender.join();
    EXPECT_EQ(r.status, 431);
}

TEST_F(HttpServer, HandlerSeesADisconnectedClientAsAnError) {
    std::promise<Error> failure;
    router.add("GET", "/events", [&](Request&, ResponseWriter& w) {
        (void)w.start_chunked(200, "application/json");
        std::string event(1000, 'e');
        for (int i = 0; i < 1000000; ++i) {
            if (auto r = w.write_chunk(event); !r) {
                failure.set_value(r.error());
                return;
            }
        }
        failure.set_value(Error{0, "client never seen gone"});
    });
    start();
    {
        auto fd = raw_connect();
        test::send_raw(fd.get(), "GET /events HTTP/1.1\r\n\r\n");
        char buf[4096];
        ASSERT_GT(::read(fd.get(), buf, sizeof buf), 0);
    }  // the client goes away mid-stream
    auto f = failure.get_future();
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    Error e = f.get();
    EXPECT_TRUE(e.sys_errno == EPIPE || e.sys_errno == ECONNRESET) << e.message;
    auto other = raw_connect();
    test::send_raw(other.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(other.get()).body, "hi") << "the server stopped serving";
}

TEST_F(HttpServer, HandlerExceptionIs500Json) {
    router.add("GET", "/throw", [](Request&, ResponseWriter&) { throw std::runtime_error("boom"); });
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /throw HTTP/1.1\r\n\r\n");
    auto r = test::read_response(fd.get());
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(json_of(r)["message"], "boom");
}

TEST_F(HttpServer, HandlerThatDoesNotAnswerGets500) {
    router.add("GET", "/silent", [](Request&, ResponseWriter&) {});
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /silent HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).status, 500);
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).body, "hi") << "a 500 for a silent handler should keep the connection";
}

TEST_F(HttpServer, ChunkedStreamLeftOpenIsEndedForTheHandler) {
    router.add("GET", "/partial", [](Request&, ResponseWriter& w) {
        (void)w.start_chunked(200, "text/plain");
        (void)w.write_chunk("abc");
    });
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /partial HTTP/1.1\r\nConnection: close\r\n\r\n");
    std::string all = test::read_until_close(fd.get());
    EXPECT_NE(all.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << all;
    EXPECT_TRUE(all.ends_with("\r\n\r\n3\r\nabc\r\n0\r\n\r\n")) << all;
}

TEST_F(HttpServer, HijackUpgradesAndHandsOverPipelinedBytes) {
    router.add("POST", "/containers/{id}/attach", [](Request&, ResponseWriter& w) {
        auto s = w.hijack();
        if (!s) return;
        std::string got = s->buffered;
        char buf[64];
        while (got.size() < 10) {
            ssize_t n = ::read(s->fd.get(), buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<size_t>(n));
        }
        test::send_raw(s->fd.get(), "echo:" + got);
    });
    start();
    auto fd = raw_connect();
    // The client's first stream bytes travel in the same write as the request.
    test::send_raw(fd.get(),
                   "POST /containers/c1/attach?stream=1 HTTP/1.1\r\nConnection: Upgrade\r\n"
                   "Upgrade: tcp\r\n\r\nstdin-data");
    std::string all = test::read_until_close(fd.get());
    EXPECT_TRUE(all.starts_with("HTTP/1.1 101 UPGRADED\r\n")) << all;
    EXPECT_NE(all.find("Content-Type: application/vnd.docker.raw-stream\r\n"), std::string::npos);
    EXPECT_NE(all.find("Upgrade: tcp\r\n"), std::string::npos);
    EXPECT_TRUE(all.ends_with("\r\n\r\necho:stdin-data")) << "bytes after the request were lost: " << all;
}

TEST_F(HttpServer, HijackWithoutUpgradeAnswers200RawStream) {
    router.add("POST", "/exec/{id}/start", [](Request& req, ResponseWriter& w) {
        std::size_t total = 0;
        hash_body(req.body(), total);  // exec start's JSON comes first
        auto s = w.hijack();
        if (s) test::send_raw(s->fd.get(), "out:" + std::to_string(total));
    });
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "POST /exec/e1/start HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
    std::string all = test::read_until_close(fd.get());
    EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"))
        << all;
    EXPECT_EQ(all.find("Upgrade:"), std::string::npos) << all;
    EXPECT_TRUE(all.ends_with("\r\n\r\nout:2")) << all;
}

TEST_F(HttpServer, HandlersSeeThePeersCredentials) {
    router.add("GET", "/whoami", [](Request& req, ResponseWriter& w) {
        (void)w.send_json(200, Json{{"pid", req.peer.pid}, {"uid", req.peer.uid}});
    });
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /whoami HTTP/1.1\r\n\r\n");
    auto j = json_of(test::read_response(fd.get()));
    EXPECT_EQ(j["pid"], ::getpid());
    EXPECT_EQ(j["uid"], ::getuid());
}

TEST_F(HttpServer, ClosesIdleConnections) {
    http::ServerOptions options;
    options.idle_timeout_ms = 100;
    start(options);
    auto fd = raw_connect();
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(test::read_until_close(fd.get()), "");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "the idle connection was not closed";
}

TEST_F(HttpServer, SocketGetsTheRequestedMode) {
    start();
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(HttpServer, ReplacesAStaleSocketFile) {
    { auto dead = test::listen_unix(path); }  // bound, then closed: nobody listens
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << "the test needs a leftover socket file";
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).body, "hi");
}

TEST_F(HttpServer, RefusesASocketALiveDaemonListensOn) {
    start();
    auto second = Server::listen_unix(path, router);
    ASSERT_FALSE(second) << "a second daemon took over a live socket";
    EXPECT_NE(second.error().message.find("another daemon is listening on " + path), std::string::npos)
        << second.error().message;
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).body, "hi") << "the live daemon lost its socket";
}

TEST_F(HttpServer, StopEndsServeAndOpenConnections) {
    start();
    auto fd = raw_connect();
    test::send_raw(fd.get(), "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(test::read_response(fd.get()).body, "hi");
    auto t0 = std::chrono::steady_clock::now();
    stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms) << "stop() waited out an idle keep-alive";
    EXPECT_TRUE(serve_result) << serve_result.error().message;
    EXPECT_EQ(server->active_connections(), 0u);
    EXPECT_EQ(test::read_until_close(fd.get()), "");
}

}  // namespace
}  // namespace berth::http

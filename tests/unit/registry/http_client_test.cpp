#include "registry/http_client.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "registry/scripted_server.hpp"

namespace berth::registry {
namespace {

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const std::string k503 = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

ClientOptions fast() {
    ClientOptions o;
    o.backoff_ms = 1;
    o.transport.io_timeout_ms = 300;
    return o;
}

Url at(int port, std::string host = "127.0.0.1", std::string target = "/v2/") {
    return Url{.tls = false, .host = std::move(host), .port = port, .target = std::move(target)};
}

TEST(RegistryHttpClientTest, RetriesAGetAnswered503) {
    ScriptedServer s({k503, k503, kOk});
    HttpClient http(fast());
    auto r = http.send({.method = "GET", .url = at(s.port())});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->read_body(100).value_or(""), "ok");
    EXPECT_EQ(s.requests().size(), 3u) << "two 503s, then the answer";
}

TEST(RegistryHttpClientTest, GivesUpAfterItsRetries) {
    ScriptedServer s({k503, k503, k503, k503, k503});
    ClientOptions o = fast();
    o.retries = 2;
    HttpClient http(o);
    auto r = http.send({.method = "GET", .url = at(s.port())});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(s.requests().size(), 3u) << "one attempt plus two retries";
}

TEST(RegistryHttpClientTest, DoesNotRetryAPost) {
    ScriptedServer s({k503, kOk});
    HttpClient http(fast());
    auto r = http.send({.method = "POST", .url = at(s.port())});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 503) << "POST is not idempotent (RFC 9110 §9.2.2)";
}

TEST(RegistryHttpClientTest, FollowsRedirectsAndDropsAuthorizationForAnotherHost) {
    ScriptedServer s({"HTTP/1.1 307 Temporary Redirect\r\nLocation: /blob/here\r\nContent-Length: 0\r\n\r\n",
                      "HTTP/1.1 302 Found\r\nLocation: http://localhost:{port}/storage\r\nContent-Length: 0\r\n\r\n",
                      kOk});
    HttpClient http(fast());
    auto r = http.send({.method = "GET", .url = at(s.port()), .headers = {{"Authorization", "Bearer t"}}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    auto reqs = s.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_TRUE(reqs[1].starts_with("GET /blob/here ")) << reqs[1];
    EXPECT_NE(reqs[1].find("Authorization: Bearer t"), std::string::npos) << "same host keeps the token";
    EXPECT_TRUE(reqs[2].starts_with("GET /storage ")) << reqs[2];
    EXPECT_EQ(reqs[2].find("Authorization"), std::string::npos)
        << "a storage host (S3, a CDN) must not see the registry's token";
    EXPECT_EQ(r->url.host, "localhost");
}

TEST(RegistryHttpClientTest, ARegistryThatNeverAnswersTimesOut) {
    ScriptedServer s({""});
    ClientOptions o = fast();
    o.retries = 0;
    HttpClient http(o);
    auto started = std::chrono::steady_clock::now();
    auto r = http.send({.method = "GET", .url = at(s.port())});
    ASSERT_FALSE(r) << "no answer must be an error";
    EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
    EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(RegistryHttpClientTest, ARefusedConnectionIsUnavailable) {
    int port;
    {
        ScriptedServer s({});
        port = s.port();
    }  // closed: nothing listens there now
    ClientOptions o = fast();
    o.retries = 0;
    HttpClient http(o);
    auto r = http.send({.method = "GET", .url = at(port)});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
}

TEST(RegistryErrorTextTest, UsesTheRegistrysErrorsArray) {
    ScriptedServer s({"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 80\r\n\r\n"
                      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":1}]})"});
    HttpClient http(fast());
    auto r = http.send({.method = "GET", .url = at(s.port())});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(registry_error_text(*r), "manifest unknown: manifest unknown");
}

}  // namespace
}  // namespace berth::registry

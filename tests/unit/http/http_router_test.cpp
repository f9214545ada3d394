#include <gtest/gtest.h>

#include "http/router.hpp"
#include "base/json.hpp"
#include "http_test_support.hpp"

namespace berth::http {
namespace {

class HttpRouter : public test::HttpServerTest {
  protected:
    void SetUp() override {
        HttpServerTest::SetUp();
        auto echo = [](Request& req, ResponseWriter& w) {
            Json params = Json::object();
            for (const auto& [k, v] : req.params) params[k] = v;
            (void)w.send_json(200, Json{{"params", params}, {"version", req.api_version}});
        };
        router.add("GET", "/images/json", [](Request&, ResponseWriter& w) {
            (void)w.send_json(200, Json{{"list", true}});
        });
        router.add("GET", "/images/{name:.*}/json", echo);
        router.add("DELETE", "/images/{name:.*}", echo);
        router.add("POST", "/containers/{id}/attach", echo);
        router.add("GET", "/_ping", [](Request&, ResponseWriter& w) { (void)w.send(200, "text/plain", "OK"); });
        router.add("HEAD", "/_ping", [](Request&, ResponseWriter& w) { (void)w.send(200, "text/plain", "OK"); });
        start();
    }

    test::RawResponse call(const std::string& method, const std::string& target) {
        auto fd = raw_connect();
        test::send_raw(fd.get(), method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        return test::read_response(fd.get());
    }

    Json json_of(const test::RawResponse& r) { return Json::parse(r.body, nullptr, false); }
};

TEST_F(HttpRouter, CapturesImageNamesAcrossSlashes) {
    auto r = call("GET", "/images/localhost:5000/a/b:tag/json");
    ASSERT_EQ(r.status, 200) << r.head << r.body;
    EXPECT_EQ(json_of(r)["params"]["name"], "localhost:5000/a/b:tag");
}

TEST_F(HttpRouter, DecodesEscapedSlashesBeforeMatching) {
    auto r = call("DELETE", "/v1.41/images/registry.example%2Fteam%2Fapp%3Av1");
    ASSERT_EQ(r.status, 200) << r.head << r.body;
    EXPECT_EQ(json_of(r)["params"]["name"], "registry.example/team/app:v1");
}

TEST_F(HttpRouter, EarlierRouteWinsOverCatchAll) {
    auto r = call("GET", "/images/json");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(json_of(r)["list"], true) << "/images/json was taken by /images/{name:.*}/json: " << r.body;
}

TEST_F(HttpRouter, SegmentCaptureStopsAtSlash) {
    auto r = call("POST", "/containers/abc123/attach?stream=1");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r)["params"]["id"], "abc123");
    EXPECT_EQ(call("POST", "/containers/a/b/attach").status, 404) << "{id} must not span slashes";
}

TEST_F(HttpRouter, VersionPrefixIsStrippedIntoApiVersion) {
    auto r = call("GET", "/v1.41/images/busybox/json");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r)["version"], "1.41");
    EXPECT_EQ(json_of(r)["params"]["name"], "busybox");
    EXPECT_EQ(json_of(call("GET", "/images/busybox/json"))["version"], "") << "no prefix, no version";
}

TEST_F(HttpRouter, TooOldVersionIsRefusedWithDockersMessage) {
    auto r = call("GET", "/v1.12/_ping");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json_of(r)["message"],
              "client version 1.12 is too old. Minimum supported API version is 1.24, please "
              "upgrade your client to a newer version");
}

TEST_F(HttpRouter, TooNewVersionIsRefusedWithDockersMessage) {
    auto r = call("GET", "/v1.99/_ping");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json_of(r)["message"], "client version 1.99 is too new. Maximum supported API version is 1.41");
}

TEST_F(HttpRouter, UnknownRouteIsJson404) {
    auto r = call("GET", "/no/such/thing");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.head.find("Content-Type: application/json"), std::string::npos) << r.head;
    EXPECT_EQ(json_of(r)["message"], "page not found");
}

TEST_F(HttpRouter, KnownPathWithOtherMethodIs404LikeDocker) {
    auto r = call("PUT", "/_ping");
    EXPECT_EQ(r.status, 404) << "Docker routes method mismatches to its not-found handler";
    EXPECT_EQ(json_of(r)["message"], "page not found");
}

TEST_F(HttpRouter, HeadGetsHeadersWithoutBody) {
    auto fd = raw_connect();
    test::send_raw(fd.get(), "HEAD /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string all = test::read_until_close(fd.get());
    EXPECT_TRUE(all.starts_with("HTTP/1.1 200 OK\r\n")) << all;
    EXPECT_NE(all.find("Content-Length: 2\r\n"), std::string::npos) << all;
    EXPECT_TRUE(all.ends_with("\r\n\r\n")) << "HEAD answer carried a body: " << all;
}

TEST_F(HttpRouter, HeadIsNotRoutedWhereOnlyGetIsRegistered) {
    EXPECT_EQ(call("HEAD", "/images/json").status, 404);
}

TEST_F(HttpRouter, EveryResponseCarriesDockerHeaders) {
    auto r = call("GET", "/no/such/thing");
    for (auto field : {"Api-Version: 1.41\r\n", "Docker-Experimental: false\r\n", "Ostype: linux\r\n",
                       "Server: berth/" BERTH_VERSION " (linux)\r\n"})
        EXPECT_NE(r.head.find(field), std::string::npos) << "missing " << field << " in\n" << r.head;
}

}  // namespace
}  // namespace berth::http

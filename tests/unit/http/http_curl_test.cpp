// Cross-checks the server against an independent client, curl.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "http/router.hpp"
#include "base/json.hpp"
#include "http_test_support.hpp"
#include "image/digest.hpp"

namespace berth::http {
namespace {

// Runs a shell command; its stdout.
std::string run(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

class HttpCurl : public test::HttpServerTest {
  protected:
    void SetUp() override {
        HttpServerTest::SetUp();
        ASSERT_FALSE(run("command -v curl").empty()) << "curl is not installed (scripts/setup.sh installs it)";
        router.add("GET", "/_ping", [](Request&, ResponseWriter& w) { (void)w.send(200, "text/plain", "OK"); });
        router.add("POST", "/images/load", [](Request& req, ResponseWriter& w) {
            std::size_t total = 0;
            auto digest = test::hash_body(req.body(), total);
            (void)w.send_json(200, Json{{"digest", digest}, {"size", total}});
        });
        start();
    }
    std::string curl(const std::string& args) {
        return run("curl -sS --max-time 20 --unix-socket " + path + " " + args + " 2>&1");
    }
};

TEST_F(HttpCurl, PingsTwiceOnOneConnection) {
    std::string out = curl("-i http://berth/v1.41/_ping http://berth/_ping");
    EXPECT_EQ(out.find("HTTP/1.1 200 OK"), 0u) << out;
    EXPECT_NE(out.find("Api-Version: 1.41"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\n\r\nOKHTTP/1.1 200 OK"), std::string::npos)
        << "second answer on the same connection missing: " << out;
}

TEST_F(HttpCurl, UploadsALargeChunkedBodyWithExpectContinue) {
    std::string file = dir + "/archive.tar";
    std::string data(3 << 20, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 251);
    std::ofstream(file, std::ios::binary) << data;
    // curl sends Expect: 100-continue for a body this large and waits for the 100.
    std::string out = curl("-H 'Transfer-Encoding: chunked' -H 'Expect: 100-continue' --data-binary @" +
                           file + " http://berth/v1.41/images/load");
    auto j = Json::parse(out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << out;
    EXPECT_EQ(j["size"], data.size());
    EXPECT_EQ(j["digest"], image::sha256_of(data).str());
}

TEST_F(HttpCurl, UnknownRouteIsJson404) {
    std::string out = curl("-w '%{http_code}' http://berth/v1.41/nope");
    EXPECT_EQ(out, "{\"message\":\"page not found\"}\n404");
}

}  // namespace
}  // namespace berth::http

#include "monitor/json_log_writer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.hpp"
#include "monitor/protocol.hpp"

namespace berth::monitor {
namespace {

namespace fs = std::filesystem;

class LogWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("berth-logw-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path() const { return (dir_ / "c.log").string(); }
    std::vector<Json> entries(const std::string& p) const {
        std::ifstream in(p);
        std::vector<Json> out;
        for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
        return out;
    }
    fs::path dir_;
};

TEST_F(LogWriterTest, SplitsAtNewlinesAndJoinsPartialLines) {
    auto w = JsonLogWriter::open(path(), {});
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE(w->write(false, "a\nb", 1'000'000'000));
    ASSERT_TRUE(w->write(false, "c\n", 2'000'000'000));
    ASSERT_TRUE(w->write(true, "tail without newline", 3'000'000'000));
    ASSERT_TRUE(w->flush(3'500'000'000));
    auto e = entries(path());
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0]["log"], "a\n");
    EXPECT_EQ(e[0]["stream"], "stdout");
    EXPECT_EQ(e[0]["time"], "1970-01-01T00:00:01Z");
    EXPECT_EQ(e[1]["log"], "bc\n");
    EXPECT_EQ(e[2]["log"], "tail without newline");
    EXPECT_EQ(e[2]["stream"], "stderr");
}

TEST_F(LogWriterTest, LongLinesAreCutAt16KiB) {
    auto w = JsonLogWriter::open(path(), {});
    ASSERT_TRUE(w);
    std::string big(kMaxLogLine * 2 + 10, 'x');
    ASSERT_TRUE(w->write(false, big + "\n", 1));
    auto e = entries(path());
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0]["log"].get<std::string>().size(), kMaxLogLine);
    EXPECT_EQ(e[1]["log"].get<std::string>().size(), kMaxLogLine);
    EXPECT_EQ(e[2]["log"], std::string(10, 'x') + "\n");
}

TEST_F(LogWriterTest, RotatesKeepingMaxFileFiles) {
    auto w = JsonLogWriter::open(path(), {200, 3});
    ASSERT_TRUE(w);
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(w->write(false, "line " + std::to_string(i) + "\n", 1));
    EXPECT_TRUE(fs::exists(path() + ".1"));
    EXPECT_TRUE(fs::exists(path() + ".2"));
    EXPECT_FALSE(fs::exists(path() + ".3"));
    for (auto p : {path(), path() + ".1", path() + ".2"}) EXPECT_LE(fs::file_size(p), 200u) << p;
    auto last = entries(path());
    EXPECT_EQ(last.back()["log"], "line 29\n");
    auto older = entries(path() + ".1");
    // No record is lost between the files that are kept.
    EXPECT_EQ(std::stoi(older.back()["log"].get<std::string>().substr(5)) + 1,
              std::stoi(last.front()["log"].get<std::string>().substr(5)));
}

TEST_F(LogWriterTest, MaxFileOneTruncates) {
    auto w = JsonLogWriter::open(path(), {150, 1});
    ASSERT_TRUE(w);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(w->write(false, "line " + std::to_string(i) + "\n", 1));
    EXPECT_FALSE(fs::exists(path() + ".1"));
    EXPECT_LE(fs::file_size(path()), 150u);
    EXPECT_EQ(entries(path()).back()["log"], "line 19\n");
}

TEST(JsonLogFormat, EscapesLikeDocker) {
    std::string out;
    append_json_string(out, "<a&b>\"\\\t\x01\xff\xe2\x80\xa8\xc3\xa9");
    EXPECT_EQ(out, R"("\u003ca\u0026b\u003e\"\\\t\u0001\ufffd\u2028é")");
}

TEST(JsonLogFormat, TimeDropsTrailingZeros) {
    EXPECT_EQ(rfc3339_nano(1'700'000'000'120'000'000), "2023-11-14T22:13:20.12Z");
    EXPECT_EQ(rfc3339_nano(1'700'000'000'000'000'001), "2023-11-14T22:13:20.000000001Z");
}

TEST(Frames, EncodeAndDecodeHeader) {
    std::string out;
    append_frame(out, Stream::stderr_, "hello");
    ASSERT_EQ(out.size(), 13u);
    EXPECT_EQ(out.substr(0, 8), std::string("\x02\0\0\0\0\0\0\x05", 8));
    auto h = parse_frame_header(out);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->stream, Stream::stderr_);
    EXPECT_EQ(h->length, 5u);
    std::string big;
    append_frame(big, Stream::exit, std::string(0x010203, 'x'));
    EXPECT_EQ(big.substr(0, 8), std::string("\x03\0\0\0\0\x01\x02\x03", 8));
    EXPECT_FALSE(parse_frame_header(std::string("\x09\0\0\0\0\0\0\0", 8)));
}

}  // namespace
}  // namespace berth::monitor

#include "engine/json_log_reader.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "monitor/json_log_writer.hpp"

namespace berth::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kSec = 1'000'000'000;

class LogReaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("berth-logr-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path() const { return (dir_ / "c.log").string(); }
    void write(const std::string& p, const std::string& text) {
        std::ofstream(p, std::ios::app) << text;
    }
    static std::string line(const std::string& text, std::int64_t t, bool err = false) {
        return monitor::json_log_line(text, err, t);
    }
    std::vector<LogEntry> read(const LogReadOptions& o) {
        std::vector<LogEntry> got;
        auto r = read_json_log(
            path(), o, [&](const LogEntry& e) { got.push_back(e); return true; },
            [] { return false; });
        EXPECT_TRUE(r);
        return got;
    }
    static std::string texts(const std::vector<LogEntry>& es) {
        std::string s;
        for (auto& e : es) s += e.text;
        return s;
    }
    fs::path dir_;
};

TEST_F(LogReaderTest, ReadsRotatedFilesOldestFirstAndSkipsMalformedLines) {
    write(path() + ".2", line("a\n", 1 * kSec));
    write(path() + ".1", line("b\n", 2 * kSec) + "not json\n{\"log\":1}\n");
    write(path(), line("c\n", 3 * kSec, true) + line("d\n", 4 * kSec));
    auto all = read({});
    EXPECT_EQ(texts(all), "a\nb\nc\nd\n");
    EXPECT_EQ(all[2].stream, 2);
    EXPECT_EQ(all[3].time_ns, 4 * kSec);
}

TEST_F(LogReaderTest, SinceUntilAndStreams) {
    write(path() + ".1", line("a\n", 1 * kSec) + line("b\n", 2 * kSec, true));
    write(path(), line("c\n", 3 * kSec) + line("d\n", 4 * kSec));
    EXPECT_EQ(texts(read({.since_ns = 2 * kSec, .until_ns = 3 * kSec})), "b\nc\n");
    EXPECT_EQ(texts(read({.stdout_ = false})), "b\n");
    EXPECT_EQ(texts(read({.stderr_ = false})), "a\nc\nd\n");
}

TEST_F(LogReaderTest, TailAcrossRotatedFiles) {
    write(path() + ".1", line("a\n", 1 * kSec) + line("b\n", 2 * kSec));
    write(path(), line("c\n", 3 * kSec));
    EXPECT_EQ(texts(read({.tail = 2})), "b\nc\n");
    EXPECT_EQ(texts(read({.tail = 0})), "");
    EXPECT_EQ(texts(read({.tail = 10})), "a\nb\nc\n");
}

TEST_F(LogReaderTest, FollowSeesAppendsAndRotation) {
    write(path(), line("old\n", 1 * kSec));
    std::vector<std::string> got;
    std::atomic<bool> keep = true;
    std::thread reader([&] {
        LogReadOptions o;
        o.follow = true;
        (void)read_json_log(
            path(), o, [&](const LogEntry& e) { got.push_back(e.text); return true; },
            [&] { return keep.load(); });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    write(path(), line("new\n", 2 * kSec));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    write(path(), line("last before rotation\n", 3 * kSec));
    fs::rename(path(), path() + ".1");
    write(path(), line("after rotation\n", 4 * kSec));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    keep = false;
    reader.join();
    EXPECT_EQ(got, (std::vector<std::string>{"old\n", "new\n", "last before rotation\n",
                                             "after rotation\n"}));
}

TEST_F(LogReaderTest, MissingLogIsEmpty) {
    EXPECT_TRUE(read({}).empty());
}

}  // namespace
}  // namespace berth::engine

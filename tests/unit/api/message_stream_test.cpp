#include "api/message_stream.hpp"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(ProgressJsonTest, LayerEventsCarryProgressDetail) {
    auto j = progress_json({.id = "abc", .status = "Downloading", .current = 5, .total = 9});
    EXPECT_EQ(j, Json::parse(R"({"status":"Downloading","id":"abc","progressDetail":{"current":5,"total":9}})"));
    auto done = progress_json({.id = "abc", .status = "Pull complete"});
    EXPECT_EQ(done, Json::parse(R"({"status":"Pull complete","id":"abc","progressDetail":{}})"));
}

TEST(ProgressJsonTest, PlainMessagesHaveNoProgressDetail) {
    auto j = progress_json({.id = "latest", .status = "Pulling from library/busybox", .plain = true});
    EXPECT_EQ(j, Json::parse(R"({"status":"Pulling from library/busybox","id":"latest"})"));
    EXPECT_EQ(progress_json({.status = "Digest: sha256:ab"}), Json::parse(R"({"status":"Digest: sha256:ab"})"));
}

}  // namespace
}  // namespace berth::api

#include "cli/berth/message_stream.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(RenderMessageTest, PrintsLayerStatusWithItsId) {
    EXPECT_EQ(render_message(Json::parse(R"({"status":"Pull complete","progressDetail":{},"id":"a8081e63cab1"})")),
              "a8081e63cab1: Pull complete\n");
}

TEST(RenderMessageTest, ProgressBarUpdatesPrintNothingOffATerminal) {
    EXPECT_EQ(render_message(Json::parse(
                  R"({"status":"Downloading","progressDetail":{"current":10,"total":20},"id":"a8081e63cab1"})")),
              "")
        << "docker's non-terminal display drops progress-bar updates";
}

TEST(RenderMessageTest, ImageWideStatusHasNoId) {
    EXPECT_EQ(render_message(Json::parse(R"({"status":"Digest: sha256:ab"})")), "Digest: sha256:ab\n");
}

}  // namespace
}  // namespace berth::cli

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

TEST(ProgressTextTest, DrawsABarAndCountsOnAWideTerminal) {
    // 10 of 20 bytes: half of the 50-column bar.
    EXPECT_EQ(progress_text(Json::parse(R"({"current":10,"total":20})"), 120),
              "[" + std::string(25, '=') + ">" + std::string(25, ' ') + "]      10B/20B");
}

TEST(ProgressTextTest, UsesDockersDecimalUnits) {
    EXPECT_EQ(progress_text(Json::parse(R"({"current":12345678,"total":45600000})"), 80),
              " 12.35MB/45.6MB")
        << "a terminal of 110 columns or fewer gets the counts without the bar";
}

TEST(ProgressTextTest, ACompleteBarIsFull) {
    EXPECT_EQ(progress_text(Json::parse(R"({"current":2000,"total":2000})"), 200),
              "[" + std::string(50, '=') + ">]      2kB/2kB");
}

TEST(ProgressTextTest, WithoutATotalShowsTheCountAlone) {
    EXPECT_EQ(progress_text(Json::parse(R"({"current":1500})"), 200), "   1.5kB");
    EXPECT_EQ(progress_text(Json::parse(R"({"current":3000,"total":1000})"), 80), "     3kB")
        << "a current beyond the total is shown alone, as docker does";
}

TEST(ProgressTextTest, AnEmptyDetailSaysNothing) {
    EXPECT_EQ(progress_text(Json::object(), 200), "");
}

TEST(TerminalRendererTest, GivesEachLayerALineAndRewritesItInPlace) {
    TerminalRenderer r(80);
    EXPECT_EQ(r.render(Json::parse(R"({"status":"Pulling from bb","id":"1"})")),
              "1: Pulling from bb\n")
        << "a message without progressDetail is a plain line";
    EXPECT_EQ(
        r.render(Json::parse(R"({"status":"Pulling fs layer","progressDetail":{},"id":"aaa"})")),
        "\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B")
        << "a new id opens a line, is written on it, and the cursor returns below";
    EXPECT_EQ(
        r.render(Json::parse(R"({"status":"Pulling fs layer","progressDetail":{},"id":"bbb"})")),
        "\n\x1b[1A\x1b[2K\rbbb: Pulling fs layer \r\x1b[1B");
    EXPECT_EQ(
        r.render(Json::parse(
            R"({"status":"Downloading","progressDetail":{"current":500,"total":1000},"id":"aaa"})")),
        "\x1b[2A\x1b[2K\raaa: Downloading     500B/1kB\r\x1b[2B")
        << "an update to the first of two lines moves up two, rewrites it, moves back";
    EXPECT_EQ(r.render(Json::parse(R"({"status":"Pull complete","progressDetail":{},"id":"bbb"})")),
              "\x1b[1A\x1b[2K\rbbb: Pull complete \r\x1b[1B");
}

TEST(TerminalRendererTest, APlainLineForgetsTheLayerLines) {
    TerminalRenderer r(80);
    r.render(Json::parse(R"({"status":"Preparing","progressDetail":{},"id":"aaa"})"));
    EXPECT_EQ(r.render(Json::parse(R"({"status":"1: digest: sha256:ab size: 2"})")),
              "1: digest: sha256:ab size: 2\n");
    EXPECT_EQ(r.render(Json::parse(R"({"status":"Preparing","progressDetail":{},"id":"aaa"})")),
              "\n\x1b[1A\x1b[2K\raaa: Preparing \r\x1b[1B")
        << "after a plain line, a known id gets a new line (the next tag's push)";
}

TEST(TerminalRendererTest, StreamTextPassesThrough) {
    TerminalRenderer r(80);
    EXPECT_EQ(r.render(Json::parse(R"({"stream":"Loaded image: x\n"})")), "Loaded image: x\n");
}

TEST(DisplayMessagesTest, RendersForATerminalWhenGivenAWidth) {
    StringReader in(R"({"status":"Pushing","progressDetail":{"current":1,"total":2},"id":"aaa"})"
                    "\n"
                    R"({"status":"Pushed","progressDetail":{},"id":"aaa"})");
    StringWriter out;
    ASSERT_TRUE(display_messages(in, out, 80).has_value());
    EXPECT_EQ(out.out,
              "\n\x1b[1A\x1b[2K\raaa: Pushing       1B/2B\r\x1b[1B"
              "\x1b[1A\x1b[2K\raaa: Pushed \r\x1b[1B");
}

TEST(DisplayMessagesTest, PrintsPlainLinesOffATerminal) {
    StringReader in(R"({"status":"Pushing","progressDetail":{"current":1,"total":2},"id":"aaa"})"
                    "\n"
                    R"({"status":"Pushed","progressDetail":{},"id":"aaa"})");
    StringWriter out;
    ASSERT_TRUE(display_messages(in, out).has_value());
    EXPECT_EQ(out.out, "aaa: Pushed\n");
}

}  // namespace
}  // namespace berth::cli

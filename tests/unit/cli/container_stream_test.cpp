#include "cli/berth/container_stream.hpp"

#include <gtest/gtest.h>

#include "cli/berth/container_rows.hpp"

namespace berth::cli {
namespace {

std::string frame(char stream, std::string_view payload) {
    std::string f(8, '\0');
    f[0] = stream;
    auto n = static_cast<std::uint32_t>(payload.size());
    f[4] = static_cast<char>(n >> 24), f[5] = static_cast<char>(n >> 16),
    f[6] = static_cast<char>(n >> 8);
    f[7] = static_cast<char>(n);
    return f + std::string(payload);
}

TEST(StdcopyDemux, SplitsFramesArrivingInAnyChunks) {
    StringWriter out, err;
    StdcopyDemux demux(out, err);
    std::string all =
        frame(1, "hello ") + frame(2, "oops\n") + frame(1, std::string(70000, 'x')) + frame(0, "!");
    for (size_t i = 0; i < all.size(); i += 7)
        ASSERT_TRUE(demux.feed(std::string_view(all).substr(i, 7)));
    EXPECT_TRUE(demux.idle());
    EXPECT_EQ(out.out, "hello " + std::string(70000, 'x') + "!");
    EXPECT_EQ(err.out, "oops\n");
}

TEST(StdcopyDemux, SystemErrorFrameIsAnError) {
    StringWriter out, err;
    StdcopyDemux demux(out, err);
    auto r = demux.feed(frame(3, "exec failed"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "exec failed");
}

TEST(DetachKeys, DockerSyntax) {
    EXPECT_EQ(parse_detach_keys("ctrl-p,ctrl-q").value(), "\x10\x11");
    EXPECT_EQ(parse_detach_keys("a,ctrl-@,ctrl-[").value(), std::string("a\0\x1b", 3));
    EXPECT_EQ(parse_detach_keys("ctrl-1").error().message, "Unknown character: 'ctrl-1'");
}

TEST(ContainerRows, PortsGroupedAsDocker) {
    Json ports = Json::array({
        {{"PrivatePort", 81}, {"Type", "tcp"}},
        {{"PrivatePort", 80}, {"Type", "tcp"}},
        {{"PrivatePort", 53}, {"Type", "udp"}},
        {{"IP", "0.0.0.0"}, {"PrivatePort", 443}, {"PublicPort", 8443}, {"Type", "tcp"}},
        {{"IP", "::"}, {"PrivatePort", 443}, {"PublicPort", 8443}, {"Type", "tcp"}},
        {{"IP", "0.0.0.0"}, {"PrivatePort", 9000}, {"PublicPort", 9000}, {"Type", "tcp"}},
        {{"IP", "0.0.0.0"}, {"PrivatePort", 9001}, {"PublicPort", 9001}, {"Type", "tcp"}},
    });
    EXPECT_EQ(displayable_ports(ports),
              "53/udp, 80-81/tcp, 0.0.0.0:9000-9001->9000-9001/tcp, 0.0.0.0:8443->443/tcp, "
              "[::]:8443->443/tcp");
}

TEST(ContainerRows, CommandQuotedAndCut) {
    EXPECT_EQ(quoted_command("sleep 60", false), "\"sleep 60\"");
    EXPECT_EQ(quoted_command("sh -c 'echo out; echo err'", false), "\"sh -c 'echo out; ec…\"");
    EXPECT_EQ(quoted_command("say \"hi\"", true), "\"say \\\"hi\\\"\"");
}

TEST(ContainerRows, RowFields) {
    Json containers = Json::array({{{"Id", std::string(64, 'a')},
                                    {"Names", {"/web", "/other/alias"}},
                                    {"Image", "busybox"},
                                    {"ImageID", "sha256:" + std::string(64, 'b')},
                                    {"Command", "sleep 60"},
                                    {"Created", 1000},
                                    {"State", "running"},
                                    {"Status", "Up 2 minutes"},
                                    {"Labels", {{"a", "1"}, {"b", "2"}}},
                                    {"SizeRw", 2},
                                    {"SizeRootFs", 1200000}}});
    auto rows = container_rows(containers, {.now = 1000 + 3600 * 5});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["ID"], std::string(12, 'a'));
    EXPECT_EQ(rows[0]["Names"], "web");
    EXPECT_EQ(rows[0]["RunningFor"], "5 hours ago");
    EXPECT_EQ(rows[0]["Labels"], "a=1,b=2");
    EXPECT_EQ(rows[0]["Label"]["b"], "2");
    EXPECT_EQ(rows[0]["Size"], "2B (virtual 1.2MB)");
    EXPECT_EQ(container_rows(containers, {.no_trunc = true, .now = 0})[0]["Names"],
              "web,other/alias");
}

}  // namespace
}  // namespace berth::cli

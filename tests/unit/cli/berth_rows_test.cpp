// Rows and tables of `images` and `history` from daemon answers, checked against
// what docker 20.10 printed for the same answers.
#include <gtest/gtest.h>

#include "cli/berth/disk_usage.hpp"
#include "cli/berth/history_rows.hpp"
#include "cli/berth/image_rows.hpp"
#include "cli/format/formatter.hpp"

namespace berth::cli {
namespace {

constexpr std::int64_t kNow = 1795449600;  // 2026-11-23
constexpr std::int64_t kCreated = 1704067200;  // 2024-01-01

Json images_sample() {
    return Json::parse(R"([
      {"Id":"sha256:894ad8cf6c1fc81dca11572025329a9a40edca143598a3790e6a04cdbfbadbbd","Created":1704067200,
       "RepoTags":["busybox:latest","localhost:5000/x/y:latest"],"RepoDigests":[],"Size":1984000,"VirtualSize":1984000,
       "SharedSize":-1,"Containers":-1},
      {"Id":"sha256:dfd93efa79c8cc2aec6d63a9ed942d6ff6724b37f01dcbd9ecf89eaea03c5ccc","Created":1704067200,
       "RepoTags":["<none>:<none>"],"RepoDigests":["<none>@<none>"],"Size":22600,"SharedSize":-1,"Containers":-1}
    ])");
}

TEST(BerthImageRows, OneRowPerTagAndNoneForDangling) {
    auto rows = image_rows(images_sample(), {.now = kNow});
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0]["Repository"], "busybox");
    EXPECT_EQ(rows[1]["Repository"], "localhost:5000/x/y");
    EXPECT_EQ(rows[1]["Tag"], "latest");
    EXPECT_EQ(rows[2]["Repository"], "<none>");
    EXPECT_EQ(rows[2]["Tag"], "<none>");
    EXPECT_EQ(rows[0]["ID"], "894ad8cf6c1f");
    EXPECT_EQ(rows[0]["Size"], "1.98MB") << "SIZE has 3 significant digits in docker's images table";
    EXPECT_EQ(rows[0]["CreatedAt"], "2024-01-01 00:00:00 +0000 UTC");
    EXPECT_EQ(rows[0]["Containers"], "N/A");
}

TEST(BerthImageRows, TableMatchesDocker) {
    auto rows = image_rows(images_sample(), {.now = kNow});
    auto table = format_rows("", images_table_format(false), image_headers(), rows);
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(*table,
              "REPOSITORY           TAG       IMAGE ID       CREATED       SIZE\n"
              "busybox              latest    894ad8cf6c1f   2 years ago   1.98MB\n"
              "localhost:5000/x/y   latest    894ad8cf6c1f   2 years ago   1.98MB\n"
              "<none>               <none>    dfd93efa79c8   2 years ago   22.6kB\n");
}

TEST(BerthImageRows, DigestsShownPerTagOnlyWhenAsked) {
    std::string digest = "sha256:" + std::string(64, 'e');
    Json images = Json::array({{{"Id", "sha256:" + std::string(64, 'a')},
                                {"Created", kCreated},
                                {"RepoTags", {"app:1"}},
                                {"RepoDigests", {"app@" + digest, "other@" + digest}},
                                {"Size", 1}}});
    auto plain = image_rows(images, {.now = kNow});
    ASSERT_EQ(plain.size(), 2u) << "a digest-only repository still gets a row";
    EXPECT_EQ(plain[0]["Digest"], "<none>");
    EXPECT_EQ(plain[1]["Repository"], "other");
    EXPECT_EQ(plain[1]["Tag"], "<none>");
    auto with = image_rows(images, {.no_trunc = true, .digests = true, .now = kNow});
    ASSERT_EQ(with.size(), 2u);
    EXPECT_EQ(with[0]["Digest"], digest);
    EXPECT_EQ(with[0]["ID"], "sha256:" + std::string(64, 'a')) << "--no-trunc keeps the full ID";
    EXPECT_EQ(with[1]["Digest"], digest);
}

Json history_sample() {
    return Json::parse(R"([
      {"Id":"sha256:894ad8cf6c1fc81dca11572025329a9a40edca143598a3790e6a04cdbfbadbbd","Created":1704067200,
       "CreatedBy":"/bin/sh -c rm /etc/motd-old && rm -rf /opt/old && mkdir /opt/old && echo > /opt/old/new","Size":50,"Comment":""},
      {"Id":"<missing>","Created":1704067200,"CreatedBy":"/bin/sh -c #(nop)\tADD busybox rootfs in / ","Size":1982537,"Comment":"c"}
    ])");
}

TEST(BerthHistoryRows, TruncatesCreatedByTo45Columns) {
    auto rows = history_rows(history_sample(), {.now = kNow});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0]["CreatedBy"], "/bin/sh -c rm /etc/motd-old && rm -rf /opt/o…");
    EXPECT_EQ(rows[1]["CreatedBy"], "/bin/sh -c #(nop) ADD busybox rootfs in / ") << "tabs become spaces";
    EXPECT_EQ(rows[1]["ID"], "<missing>");
    EXPECT_EQ(rows[0]["ID"], "894ad8cf6c1f");
}

TEST(BerthHistoryRows, NoTruncKeepsEverything) {
    auto rows = history_rows(history_sample(), {.no_trunc = true, .now = kNow});
    EXPECT_EQ(rows[0]["CreatedBy"], "/bin/sh -c rm /etc/motd-old && rm -rf /opt/old && mkdir /opt/old && echo > /opt/old/new");
    EXPECT_EQ(rows[0]["ID"], "sha256:894ad8cf6c1fc81dca11572025329a9a40edca143598a3790e6a04cdbfbadbbd");
}

TEST(BerthHistoryRows, NotHumanGivesBytesAndRfc3339) {
    auto rows = history_rows(history_sample(), {.human = false, .now = kNow});
    EXPECT_EQ(rows[1]["Size"], "1982537");
    EXPECT_EQ(rows[1]["CreatedSince"], "2024-01-01T00:00:00Z");
    auto table = format_rows("", history_table_format(false), history_headers(), rows);
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(table->substr(0, table->find('\n')), "IMAGE          CREATED AT             CREATED BY                                      SIZE      COMMENT");
}

TEST(BerthEllipsis, CountsCodePoints) {
    EXPECT_EQ(ellipsis("héllo", 5), "héllo");
    EXPECT_EQ(ellipsis("héllo wörld", 5), "héll…");
}

TEST(BerthDiskUsage, ReclaimableCountsImagesWithoutContainers) {
    Json df = {{"LayersSize", 1984000},
               {"Images", Json::array({{{"Containers", 0}, {"Size", 1984000}, {"SharedSize", 0}}})},
               {"Containers", Json::array()},
               {"Volumes", Json::array()},
               {"BuildCache", Json::array()}};
    auto rows = disk_usage_rows(df);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0]["Type"], "Images");
    EXPECT_EQ(rows[0]["TotalCount"], "1");
    EXPECT_EQ(rows[0]["Active"], "0");
    EXPECT_EQ(rows[0]["Size"], "1.984MB");
    EXPECT_EQ(rows[0]["Reclaimable"], "1.984MB (100%)");
    EXPECT_EQ(rows[1]["Reclaimable"], "0B");
}

}  // namespace
}  // namespace berth::cli

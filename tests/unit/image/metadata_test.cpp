#include "image/metadata.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace berth::image {
namespace {

class MetadataTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-metadata-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        auto m = Metadata::open(dir_ + "/metadata.db");
        ASSERT_TRUE(m) << m.error().message;
        md_ = std::move(*m);
    }
    void TearDown() override {
        md_.reset();
        std::filesystem::remove_all(dir_);
    }
    std::string dir_;
    std::unique_ptr<Metadata> md_;
};

TEST_F(MetadataTest, TagsPointAtImagesAndGoWithThem) {
    ASSERT_TRUE(md_->put_image({"sha256:aa", "sha256:l1", 10, 1}));
    ASSERT_TRUE(md_->set_tag("docker.io/library/busybox:latest", "sha256:aa"));
    ASSERT_TRUE(md_->set_digest("docker.io/library/busybox@sha256:mm", "sha256:aa"));
    EXPECT_EQ(*md_->tag_target("docker.io/library/busybox:latest"), "sha256:aa");
    ASSERT_TRUE(md_->delete_image("sha256:aa"));
    EXPECT_FALSE(md_->tag_target("docker.io/library/busybox:latest")->has_value())
        << "a tag must not outlive its image";
    EXPECT_TRUE(md_->digests_of("sha256:aa")->empty());
}

TEST_F(MetadataTest, TagMovesToANewImage) {
    ASSERT_TRUE(md_->put_image({"sha256:aa", "", 0, 1}));
    ASSERT_TRUE(md_->put_image({"sha256:bb", "", 0, 2}));
    ASSERT_TRUE(md_->set_tag("x:1", "sha256:aa"));
    ASSERT_TRUE(md_->set_tag("x:1", "sha256:bb"));
    EXPECT_EQ(*md_->tag_target("x:1"), "sha256:bb");
    EXPECT_TRUE(md_->tags_of("sha256:aa")->empty());
}

TEST_F(MetadataTest, TagOfAMissingImageIsRefused) {
    EXPECT_FALSE(md_->set_tag("x:1", "sha256:nope"));
}

TEST_F(MetadataTest, PrefixLookupFindsImagesById) {
    ASSERT_TRUE(md_->put_image({"sha256:abc1", "", 0, 1}));
    ASSERT_TRUE(md_->put_image({"sha256:abd2", "", 0, 1}));
    EXPECT_EQ(md_->images_with_prefix("ab")->size(), 2u);
    EXPECT_EQ(md_->images_with_prefix("abc")->size(), 1u);
}

TEST_F(MetadataTest, TransactionRollsBackEverything) {
    auto r = md_->db().transaction([&]() -> Result<void> {
        BERTH_TRYV(md_->put_image({"sha256:aa", "", 0, 1}));
        return fail("boom");
    });
    EXPECT_FALSE(r);
    EXPECT_FALSE(md_->image("sha256:aa")->has_value());
}

TEST_F(MetadataTest, SurvivesReopen) {
    ASSERT_TRUE(md_->put_layer({"sha256:c1", "sha256:d1", "", "1", "sha256:b1", "t", 5}));
    md_.reset();
    auto again = Metadata::open(dir_ + "/metadata.db");
    ASSERT_TRUE(again);
    auto l = (*again)->layer("sha256:c1");
    ASSERT_TRUE(l && l->has_value());
    EXPECT_EQ((*l)->size, 5);
}

TEST_F(MetadataTest, BlobSourcesListTheMostRecentRepositoryFirst) {
    ASSERT_TRUE(md_->add_blob_source("sha256:b1", "reg:5000/old", 100));
    ASSERT_TRUE(md_->add_blob_source("sha256:b1", "reg:5000/new", 200));
    ASSERT_TRUE(md_->add_blob_source("sha256:b2", "reg:5000/other", 300));
    EXPECT_EQ(*md_->blob_sources("sha256:b1"),
              (std::vector<std::string>{"reg:5000/new", "reg:5000/old"}));
    ASSERT_TRUE(md_->add_blob_source("sha256:b1", "reg:5000/old", 400));
    EXPECT_EQ(*md_->blob_sources("sha256:b1"),
              (std::vector<std::string>{"reg:5000/old", "reg:5000/new"}))
        << "seeing a blob again in a repository makes that repository the most recent";
    EXPECT_TRUE(md_->blob_sources("sha256:none")->empty());
}

TEST_F(MetadataTest, AVersion1DatabaseIsUpgradedKeepingItsRows) {
    ASSERT_TRUE(md_->put_image({"sha256:aa", "", 0, 1}));
    // Make it look like a database written before blob sources existed.
    ASSERT_TRUE(md_->db().exec_script("DROP TABLE blob_sources; PRAGMA user_version = 1;"));
    md_.reset();
    auto m = Metadata::open(dir_ + "/metadata.db");
    ASSERT_TRUE(m) << m.error().message;
    md_ = std::move(*m);
    EXPECT_TRUE(md_->image("sha256:aa")->has_value()) << "the upgrade must keep existing images";
    EXPECT_TRUE(md_->add_blob_source("sha256:b1", "reg/x", 1))
        << "the upgrade creates the blob_sources table";
}

}  // namespace
}  // namespace berth::image

// The image store end to end in a temporary root: load an archive built here, name
// it, save it, remove it, and check that nothing outlives what references it.
#include "image/image_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <filesystem>

#include "base/file.hpp"
#include "image/archive.hpp"
#include "image/tar_writer.hpp"

namespace berth::image {
namespace {

namespace fs = std::filesystem;

std::string layer_tar(const std::string& path, const std::string& content) {
    StringWriter out;
    TarWriter tar(out);
    EXPECT_TRUE(tar.add_file(path, content));
    EXPECT_TRUE(tar.finish());
    return out.out;
}

// A docker-archive with one image of `layers` (path → content, one file a layer).
std::string docker_archive(const std::vector<std::pair<std::string, std::string>>& layers,
                           const std::string& tag) {
    Json diff_ids = Json::array(), paths = Json::array();
    std::vector<std::string> tars;
    for (const auto& [p, c] : layers) {
        tars.push_back(layer_tar(p, c));
        diff_ids.push_back(sha256_of(tars.back()).str());
        paths.push_back("l" + std::to_string(tars.size()) + "/layer.tar");
    }
    Json cfg = {{"architecture", "amd64"}, {"os", "linux"}, {"created", "2024-01-02T03:04:05Z"},
                {"config", {{"Cmd", {"sh"}}}}, {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
    std::string cfg_raw = cfg.dump();
    std::string cfg_name = sha256_of(cfg_raw).hex + ".json";
    Json manifest = Json::array({{{"Config", cfg_name}, {"RepoTags", {tag}}, {"Layers", paths}}});
    StringWriter out;
    TarWriter tar(out);
    for (std::size_t i = 0; i < tars.size(); ++i)
        EXPECT_TRUE(tar.add_file(paths[i].get<std::string>(), tars[i]));
    EXPECT_TRUE(tar.add_file(cfg_name, cfg_raw));
    EXPECT_TRUE(tar.add_file("manifest.json", manifest.dump()));
    EXPECT_TRUE(tar.finish());
    return out.out;
}

std::size_t files_in(const std::string& dir) {
    std::size_t n = 0;
    if (!fs::exists(dir)) return 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (!e.is_directory()) ++n;
    return n;
}

class ImageStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-store-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        store_ = open_store("a");
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::unique_ptr<ImageStore> open_store(const std::string& name) {
        auto s = ImageStore::open(dir_ + "/" + name);
        EXPECT_TRUE(s) << s.error().message;
        return s ? std::move(*s) : nullptr;
    }
    std::vector<std::string> load(ImageStore& store, const std::string& archive) {
        StringReader in(archive);
        auto r = load_archive(store, in, [](const std::string&) {});
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : std::vector<std::string>{};
    }
    std::string dir_;
    std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, LoadUnpacksEachLayerIntoItsSnapshot) {
    auto loaded = load(*store_, docker_archive({{"a.txt", "one"}, {"b.txt", "two"}}, "x:1"));
    ASSERT_EQ(loaded, std::vector<std::string>{"x:1"});
    auto id = store_->resolve("x:1");
    ASSERT_TRUE(id) << id.error().message;
    auto dirs = store_->layer_dirs(*id);
    ASSERT_TRUE(dirs);
    ASSERT_EQ(dirs->size(), 2u);
    EXPECT_EQ(*read_file((*dirs)[0] + "/a.txt"), "one");
    EXPECT_EQ(*read_file((*dirs)[1] + "/b.txt"), "two");
}

TEST_F(ImageStoreTest, ResolvesByShortIdAndRefusesUnknownNames) {
    load(*store_, docker_archive({{"a.txt", "one"}}, "x:1"));
    auto id = *store_->resolve("x:1");
    EXPECT_EQ(*store_->resolve(id.substr(7, 12)), id);
    auto missing = store_->resolve("nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
    EXPECT_EQ(missing.error().message, "No such image: nope");
    auto bad = store_->resolve("UPPER");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::invalid_argument);
}

TEST_F(ImageStoreTest, SaveThenLoadElsewhereGivesTheSameImage) {
    load(*store_, docker_archive({{"a.txt", "one"}, {"b.txt", "two"}}, "x:1"));
    StringWriter saved;
    ASSERT_TRUE(save_archive(*store_, {"x:1"}, saved));
    auto other = open_store("b");
    EXPECT_EQ(load(*other, saved.out), std::vector<std::string>{"x:1"});
    EXPECT_EQ(*other->resolve("x:1"), *store_->resolve("x:1"));
}

TEST_F(ImageStoreTest, UntagKeepsImageUntilItsLastNameGoes) {
    load(*store_, docker_archive({{"a.txt", "one"}}, "x:1"));
    ASSERT_TRUE(store_->tag("x:1", "y"));
    auto first = store_->remove("x:1", false, false, nullptr);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->size(), 1u);
    EXPECT_EQ((*first)[0].untagged, "x:1");
    auto last = store_->remove("y", false, false, nullptr);
    ASSERT_TRUE(last);
    EXPECT_EQ((*last)[0].untagged, "y:latest");
    EXPECT_FALSE((*last)[1].deleted.empty());
    EXPECT_EQ(files_in(dir_ + "/a/snapshots"), 0u) << "layers must go with their last image";
    EXPECT_EQ(files_in(dir_ + "/a/content/blobs"), 0u) << "blobs must go with their last image";
}

TEST_F(ImageStoreTest, RemovingARepositorysLastTagTakesItsDigestReferencesAlong) {
    load(*store_, docker_archive({{"a.txt", "one"}}, "reg.example/x:1"));
    auto id = *store_->resolve("reg.example/x:1");
    auto by_digest = parse_reference("reg.example/x@sha256:" + std::string(64, 'a'));
    ASSERT_TRUE(by_digest);
    ASSERT_TRUE(store_->set_repo_digest(*by_digest, id));
    ASSERT_TRUE(store_->tag("reg.example/x:1", "reg.example/x:2"));
    auto first = store_->remove("reg.example/x:1", false, false, nullptr);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->size(), 1u) << "another tag of the repository remains: the digest stays";
    auto last = store_->remove("reg.example/x:2", false, false, nullptr);
    ASSERT_TRUE(last) << last.error().message;
    ASSERT_GE(last->size(), 3u)
        << "untag :2, untag the digest, delete the image and its layer (as dockerd)";
    EXPECT_EQ((*last)[1].untagged, by_digest->familiar());
    EXPECT_EQ((*last)[2].deleted, id);
    EXPECT_FALSE(store_->resolve(id)) << "the image had no other name: it must be gone";
}

TEST_F(ImageStoreTest, SharedLayersStayWhileAnImageUsesThem) {
    load(*store_, docker_archive({{"a.txt", "base"}}, "base:1"));
    load(*store_, docker_archive({{"a.txt", "base"}, {"b.txt", "top"}}, "app:1"));
    ASSERT_TRUE(store_->remove("app:1", false, false, nullptr));
    auto dirs = store_->layer_dirs(*store_->resolve("base:1"));
    ASSERT_TRUE(dirs) << dirs.error().message;
    EXPECT_EQ(*read_file((*dirs)[0] + "/a.txt"), "base");
}

TEST_F(ImageStoreTest, RemovingByIdWithTwoRepositoriesNeedsForce) {
    load(*store_, docker_archive({{"a.txt", "one"}}, "x:1"));
    ASSERT_TRUE(store_->tag("x:1", "other:2"));
    auto id = *store_->resolve("x:1");
    auto r = store_->remove(id, false, false, nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::conflict);
    EXPECT_TRUE(store_->remove(id, true, false, nullptr));
    EXPECT_FALSE(store_->resolve("x:1"));
}

TEST_F(ImageStoreTest, ImageInUseByAContainerIsAConflict) {
    load(*store_, docker_archive({{"a.txt", "one"}}, "x:1"));
    auto used = [](const std::string&) { return std::optional<ImageUse>(ImageUse{"c0ffee", true}); };
    auto r = store_->remove("x:1", true, false, used);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::conflict);
    EXPECT_NE(r.error().message.find("running container c0ffee"), std::string::npos) << r.error().message;
}

TEST_F(ImageStoreTest, ALayerThatDoesNotMatchItsDiffIdIsRefusedAndLeavesNothing) {
    auto archive = docker_archive({{"a.txt", "one"}}, "x:1");
    // Same length, other content: the layer no longer hashes to the config's diff_id.
    auto pos = archive.find("one");
    ASSERT_NE(pos, std::string::npos);
    archive.replace(pos, 3, "two");
    StringReader in(archive);
    auto r = load_archive(*store_, in, [](const std::string&) {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;
    EXPECT_TRUE(store_->list()->empty());
    EXPECT_EQ(files_in(dir_ + "/a/staging"), 0u);
    EXPECT_EQ(files_in(dir_ + "/a/snapshots"), 0u);
}

TEST_F(ImageStoreTest, ImportMakesAOneLayerImageWithChanges) {
    auto rootfs = layer_tar("etc/hostname", "imported\n");
    StringReader in(rootfs);
    ImportOptions opts;
    opts.repo = "imp";
    opts.tag = "1";
    opts.changes = {"CMD [\"sh\"]", "ENV A=1", "EXPOSE 80"};
    auto id = import_rootfs(*store_, in, opts);
    ASSERT_TRUE(id) << id.error().message;
    auto cfg = store_->config(*id);
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->config.cmd, std::vector<std::string>{"sh"});
    EXPECT_EQ(cfg->config.env, std::vector<std::string>{"A=1"});
    EXPECT_TRUE(cfg->config.exposed_ports.count("80/tcp"));
    EXPECT_EQ(cfg->history.at(0).comment, "Imported from -");
    EXPECT_EQ(*store_->resolve("imp:1"), *id);
}

TEST_F(ImageStoreTest, StagingLeftoversAreClearedOnOpen) {
    auto staged = store_->new_staging_dir();
    ASSERT_TRUE(staged);
    ASSERT_TRUE(write_file_atomic(*staged + "/half", "x"));
    store_.reset();
    store_ = open_store("a");
    EXPECT_EQ(files_in(dir_ + "/a/staging"), 0u);
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

TEST_F(ImageStoreTest, OrphansOfACrashAreCollectedOnOpen) {
    load(*store_, docker_archive({{"a.txt", "one"}}, "x:1"));
    // What a crash between writing and committing leaves: a blob and a snapshot
    // directory no row references.
    auto orphan = store_->content().write_blob("orphan");
    ASSERT_TRUE(orphan);
    // Older than the grace period unreferenced blobs get (kept for a pull's retry).
    timespec old[2] = {{0, UTIME_OMIT}, {time(nullptr) - kUnusedBlobGraceSeconds - 60, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, store_->content().blob_path(*orphan).c_str(), old, 0), 0);
    ASSERT_TRUE(mkdir_p(dir_ + "/a/snapshots/999"));
    auto blobs_before = files_in(dir_ + "/a/content/blobs");
    store_.reset();
    store_ = open_store("a");
    EXPECT_EQ(files_in(dir_ + "/a/content/blobs"), blobs_before - 1);
    EXPECT_FALSE(fs::exists(dir_ + "/a/snapshots/999"));
    auto dirs = store_->layer_dirs(*store_->resolve("x:1"));
    ASSERT_TRUE(dirs) << "a live image must survive the clean-up";
    EXPECT_EQ(*read_file((*dirs)[0] + "/a.txt"), "one");
}

}  // namespace
}  // namespace berth::image

namespace berth::image {
namespace {

TEST_F(ImageStoreTest, RecentUnreferencedBlobsSurviveOpenForAPullToResume) {
    // A failed pull's verified layer: stored, referenced by nothing yet.
    auto kept = store_->content().write_blob("layer of a failed pull");
    ASSERT_TRUE(kept);
    store_.reset();
    store_ = open_store("a");
    EXPECT_TRUE(store_->content().exists(*kept))
        << "a blob younger than the grace period must be kept";
    ASSERT_TRUE(store_->collect_unused_blobs(0));
    EXPECT_FALSE(store_->content().exists(*kept)) << "a sweep with no grace period must remove it";
}

}  // namespace
}  // namespace berth::image

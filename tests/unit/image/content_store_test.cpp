#include "image/content_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "base/file.hpp"
#include "test_support.hpp"

namespace berth::image {
namespace {

class ContentStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-content-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        auto s = ContentStore::open(dir_ + "/content");
        ASSERT_TRUE(s) << s.error().message;
        store_.emplace(std::move(*s));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Every file under the store's root that isn't a directory.
    std::vector<std::string> files() const {
        std::vector<std::string> out;
        for (auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/content"))
            if (!e.is_directory()) out.push_back(e.path().string());
        return out;
    }

    std::string dir_;
    std::optional<ContentStore> store_;
};

TEST_F(ContentStoreTest, WriteBlobStoresUnderItsDigest) {
    auto d = store_->write_blob("hello");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(*d, sha256_of("hello"));
    EXPECT_EQ(store_->blob_path(*d), dir_ + "/content/blobs/sha256/" + d->hex);
    EXPECT_TRUE(store_->exists(*d));
    EXPECT_EQ(test::read_text(store_->blob_path(*d), false), "hello");
    auto size = store_->size(*d);
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, 5u);
}

TEST_F(ContentStoreTest, BlobsAreReadOnly) {
    auto d = store_->write_blob("data");
    ASSERT_TRUE(d);
    struct stat st;
    ASSERT_EQ(::stat(store_->blob_path(*d).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0444u) << "a stored blob must not be writable";
}

TEST_F(ContentStoreTest, StreamedWriterVerifiesExpectedDigest) {
    auto w = store_->writer(sha256_of("abcdef"));
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE((*w)->write("abc"));
    ASSERT_TRUE((*w)->write("def"));
    EXPECT_EQ((*w)->size(), 6u);
    auto d = (*w)->commit();
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(*d, sha256_of("abcdef"));
    auto content = store_->read_blob(*d, 100);
    ASSERT_TRUE(content);
    EXPECT_EQ(*content, "abcdef");
}

TEST_F(ContentStoreTest, MismatchNamesBothDigestsAndStoresNothing) {
    Digest want = sha256_of("expected");
    auto w = store_->writer(want);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write("something else"));
    auto d = (*w)->commit();
    ASSERT_FALSE(d) << "content not matching the expected digest was committed";
    EXPECT_EQ(d.error().message, "digest mismatch: expected " + want.str() + ", got " +
                                     sha256_of("something else").str());
    w->reset();
    EXPECT_FALSE(store_->exists(want));
    EXPECT_FALSE(store_->exists(sha256_of("something else")));
    EXPECT_TRUE(files().empty()) << "a failed commit left " << files().front();
}

TEST_F(ContentStoreTest, ExpectedSizeCutsOffLongBlobsAndRefusesShortOnes) {
    auto long_writer = store_->writer(std::nullopt, 4);
    ASSERT_TRUE(long_writer);
    ASSERT_TRUE((*long_writer)->write("abc"));
    auto over = (*long_writer)->write("de");
    ASSERT_FALSE(over) << "a write past the expected size was accepted";
    EXPECT_NE(over.error().message.find("larger than the expected 4 bytes"), std::string::npos)
        << over.error().message;
    EXPECT_FALSE((*long_writer)->commit()) << "a writer that overflowed must not commit";

    auto short_writer = store_->writer(std::nullopt, 4);
    ASSERT_TRUE(short_writer);
    ASSERT_TRUE((*short_writer)->write("abc"));
    auto d = (*short_writer)->commit();
    ASSERT_FALSE(d) << "a blob shorter than expected was committed";
    EXPECT_EQ(d.error().message, "size mismatch: expected 4 bytes, got 3");
    EXPECT_FALSE(store_->exists(sha256_of("abc")));
}

TEST_F(ContentStoreTest, WriterDestroyedWithoutCommitLeavesNothing) {
    {
        auto w = store_->writer(std::nullopt);
        ASSERT_TRUE(w);
        ASSERT_TRUE((*w)->write(std::string(1 << 20, 'x')));
    }
    EXPECT_TRUE(files().empty()) << "an abandoned writer left " << files().front();
    auto list = store_->list();
    ASSERT_TRUE(list);
    EXPECT_TRUE(list->empty());
}

TEST_F(ContentStoreTest, OpenClearsStaleIngestFiles) {
    std::string stale = dir_ + "/content/ingest/blob-crashed";
    ASSERT_TRUE(write_file_atomic(stale, "half a layer"));
    auto again = ContentStore::open(dir_ + "/content");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(path_exists(stale)) << "a crashed writer's ingest file survived open";
}

TEST_F(ContentStoreTest, ConcurrentWritersOfOneDigestAllSucceed) {
    const std::string data(256 * 1024, 'z');
    const Digest want = sha256_of(data);
    constexpr int kWriters = 8;
    std::vector<Result<Digest>> results(kWriters, fail("not run"));
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i)
        threads.emplace_back([&, i] {
            auto w = store_->writer(want);
            if (!w) {
                results[i] = std::unexpected(w.error());
                return;
            }
            for (size_t off = 0; off < data.size(); off += 4096)
                if (auto r = (*w)->write(std::string_view(data).substr(off, 4096)); !r) {
                    results[i] = std::unexpected(r.error());
                    return;
                }
            results[i] = (*w)->commit();
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < kWriters; ++i) {
        ASSERT_TRUE(results[i]) << "writer " << i << ": " << results[i].error().message;
        EXPECT_EQ(*results[i], want);
    }
    EXPECT_EQ(files().size(), 1u) << "exactly one blob and no ingest leftovers";
    auto content = store_->read_blob(want, data.size());
    ASSERT_TRUE(content);
    EXPECT_EQ(*content == data, true) << "the stored blob differs from what was written";
}

TEST_F(ContentStoreTest, ReadBlobRefusesBlobsOverTheLimit) {
    auto d = store_->write_blob("0123456789");
    ASSERT_TRUE(d);
    auto r = store_->read_blob(*d, 9);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("more than the 9 allowed"), std::string::npos)
        << r.error().message;
}

TEST_F(ContentStoreTest, ListRemoveAndMissingBlobs) {
    auto a = store_->write_blob("a");
    auto b = store_->write_blob("b");
    ASSERT_TRUE(a && b);
    auto list = store_->list();
    ASSERT_TRUE(list);
    std::vector<Digest> want{*a, *b};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(*list, want);

    ASSERT_TRUE(store_->remove(*a));
    EXPECT_FALSE(store_->exists(*a));
    auto again = store_->remove(*a);
    ASSERT_FALSE(again) << "removing a missing blob must fail";
    EXPECT_EQ(again.error().sys_errno, ENOENT);
    auto opened = store_->open_blob(*a);
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.error().message.find(a->str()), std::string::npos) << opened.error().message;
    EXPECT_FALSE(store_->size(*a));
}

TEST_F(ContentStoreTest, WriteBlobOfExistingContentIsANoOp) {
    auto first = store_->write_blob("same");
    auto second = store_->write_blob("same");
    ASSERT_TRUE(first && second);
    EXPECT_EQ(*first, *second);
    EXPECT_EQ(files().size(), 1u);
}

TEST_F(ContentStoreTest, CommitTwiceIsAnError) {
    auto w = store_->writer(std::nullopt);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write("x"));
    ASSERT_TRUE((*w)->commit());
    EXPECT_FALSE((*w)->commit());
    EXPECT_FALSE((*w)->write("y")) << "a committed writer accepted more data";
}

}  // namespace
}  // namespace berth::image

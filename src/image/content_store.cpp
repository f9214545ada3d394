#include "image/content_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "base/file.hpp"

namespace berth::image {

namespace {

// Blobs never change once stored; read-only modes keep a stray writer (or a
// user poking in the data root) from corrupting content behind its digest.
constexpr mode_t kBlobMode = 0444;

Result<void> fsync_dir(const std::string& dir) {
    auto fd = BERTH_TRY(open_fd(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (::fsync(fd.get()) != 0) return sys_fail("fsync " + dir);
    return {};
}

// Gives an unnamed O_TMPFILE file its name. linkat(AT_EMPTY_PATH) needs
// CAP_DAC_READ_SEARCH; without it, linking the /proc/self/fd magic link works
// for any process (open(2), "O_TMPFILE").
int link_unnamed(int fd, const std::string& dest) {
    if (::linkat(fd, "", AT_FDCWD, dest.c_str(), AT_EMPTY_PATH) == 0) return 0;
    if (errno != ENOENT && errno != EPERM) return -1;
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    return ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, dest.c_str(), AT_SYMLINK_FOLLOW);
}

// An ingest file: unnamed (O_TMPFILE) where the filesystem supports it, so a crash
// can't leave a half blob anywhere; otherwise a named temporary that open() clears.
Result<std::pair<UniqueFd, std::string>> create_ingest_file(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, kBlobMode));
    if (fd) return std::pair{std::move(fd), std::string()};
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return sys_fail("create ingest file in " + dir);
    std::string tmpl = path_join(dir, "blob-XXXXXX");
    fd.reset(::mkostemp(tmpl.data(), O_CLOEXEC));
    if (!fd) return sys_fail("create ingest file " + tmpl);
    if (::fchmod(fd.get(), kBlobMode) != 0) {
        ::unlink(tmpl.c_str());
        return sys_fail("chmod " + tmpl);
    }
    return std::pair{std::move(fd), std::move(tmpl)};
}

}  // namespace

BlobWriter::BlobWriter(UniqueFd fd, std::string temp_path, std::string blobs_dir,
                       std::optional<Digest> expected, std::optional<std::uint64_t> expected_size)
    : fd_(std::move(fd)),
      temp_path_(std::move(temp_path)),
      blobs_dir_(std::move(blobs_dir)),
      expected_(std::move(expected)),
      expected_size_(expected_size) {}

BlobWriter::~BlobWriter() {
    // An unnamed file vanishes with its fd; a named one must be unlinked.
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Result<void> BlobWriter::write(std::string_view data) {
    if (done_) return fail("write to a blob writer that was already committed or failed");
    // A failed write leaves the file and the hash out of step: the writer is spent.
    if (expected_size_ && size_ + data.size() > *expected_size_) {
        done_ = true;
        return fail("blob is larger than the expected " + std::to_string(*expected_size_) +
                    " bytes");
    }
    if (auto r = write_all(fd_.get(), data); !r) {
        done_ = true;
        return std::unexpected(std::move(r.error()).context("write blob"));
    }
    hash_.update(data);
    size_ += data.size();
    return {};
}

Result<Digest> BlobWriter::commit() {
    if (done_) return fail("commit of a blob writer that was already committed or failed");
    done_ = true;
    if (expected_size_ && size_ != *expected_size_)
        return fail("size mismatch: expected " + std::to_string(*expected_size_) + " bytes, got " +
                    std::to_string(size_));
    Digest got = hash_.finish();
    if (expected_ && *expected_ != got)
        return fail("digest mismatch: expected " + expected_->str() + ", got " + got.str());
    // The data must be on disk before its name is: a crash after the link must not
    // leave a blob whose bytes don't match its digest.
    if (::fsync(fd_.get()) != 0) return sys_fail("fsync blob " + got.str());
    std::string dest = path_join(blobs_dir_, got.hex);
    // link, unlike rename, never replaces: when a concurrent writer of the same
    // content won, its blob stays and ours is dropped (EEXIST).
    int rc = temp_path_.empty() ? link_unnamed(fd_.get(), dest)
                                : ::link(temp_path_.c_str(), dest.c_str());
    if (rc != 0 && errno != EEXIST) return sys_fail("store blob " + dest);
    BERTH_TRYV(fsync_dir(blobs_dir_));
    fd_.reset();
    return got;
}

ContentStore::ContentStore(std::string root) : root_(std::move(root)) {}

Result<std::int64_t> ContentStore::modified(const Digest& d) const {
    struct stat st {};
    if (::stat(blob_path(d).c_str(), &st) != 0) return sys_fail("stat blob " + d.str());
    return static_cast<std::int64_t>(st.st_mtime);
}

Result<void> ContentStore::touch(const Digest& d) {
    if (::utimensat(AT_FDCWD, blob_path(d).c_str(), nullptr, 0) != 0)
        return sys_fail("touch blob " + d.str());
    return {};
}

std::string ContentStore::blobs_dir(const std::string& algorithm) const {
    return path_join(path_join(root_, "blobs"), algorithm);
}

std::string ContentStore::ingest_dir() const {
    return path_join(root_, "ingest");
}

std::string ContentStore::blob_path(const Digest& d) const {
    return path_join(blobs_dir(d.algorithm), d.hex);
}

Result<ContentStore> ContentStore::open(std::string root) {
    ContentStore store(std::move(root));
    BERTH_TRYV_CTX(mkdir_p(store.blobs_dir("sha256"), 0700), "open content store");
    BERTH_TRYV_CTX(mkdir_p(store.ingest_dir(), 0700), "open content store");
    std::error_code ec;
    for (auto& entry : std::filesystem::directory_iterator(store.ingest_dir(), ec)) {
        std::error_code rm_ec;
        std::filesystem::remove_all(entry.path(), rm_ec);
        if (rm_ec)
            return fail("remove stale ingest file " + entry.path().string() + ": " +
                        rm_ec.message());
    }
    if (ec) return fail("list " + store.ingest_dir() + ": " + ec.message());
    return store;
}

Result<std::unique_ptr<BlobWriter>> ContentStore::writer(
    std::optional<Digest> expected, std::optional<std::uint64_t> expected_size) {
    auto [fd, temp] = BERTH_TRY(create_ingest_file(ingest_dir()));
    return std::unique_ptr<BlobWriter>(new BlobWriter(
        std::move(fd), std::move(temp), blobs_dir("sha256"), std::move(expected), expected_size));
}

Result<Digest> ContentStore::write_blob(std::string_view data) {
    Digest d = sha256_of(data);
    if (exists(d)) return d;
    auto w = BERTH_TRY(writer(d));
    BERTH_TRYV(w->write(data));
    return w->commit();
}

bool ContentStore::exists(const Digest& d) const {
    struct stat st;
    return ::stat(blob_path(d).c_str(), &st) == 0;
}

Result<std::uint64_t> ContentStore::size(const Digest& d) const {
    struct stat st;
    if (::stat(blob_path(d).c_str(), &st) != 0) return sys_fail("stat blob " + d.str());
    return static_cast<std::uint64_t>(st.st_size);
}

Result<UniqueFd> ContentStore::open_blob(const Digest& d) const {
    UniqueFd fd(::open(blob_path(d).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_fail("open blob " + d.str());
    return fd;
}

Result<std::string> ContentStore::read_blob(const Digest& d, std::size_t limit) const {
    auto fd = BERTH_TRY(open_blob(d));
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return sys_fail("stat blob " + d.str());
    if (static_cast<std::uint64_t>(st.st_size) > limit)
        return fail("blob " + d.str() + " is " + std::to_string(st.st_size) +
                    " bytes, more than the " + std::to_string(limit) + " allowed");
    return with_context(read_fd(fd.get()), "read blob " + d.str());
}

Result<void> ContentStore::remove(const Digest& d) {
    if (::unlink(blob_path(d).c_str()) != 0) return sys_fail("remove blob " + d.str());
    return {};
}

Result<std::vector<Digest>> ContentStore::list() const {
    std::vector<Digest> out;
    std::error_code ec;
    for (auto& entry : std::filesystem::directory_iterator(blobs_dir("sha256"), ec)) {
        // Anything that isn't a digest-named file is not ours; skip it.
        auto d = parse_digest("sha256:" + entry.path().filename().string());
        if (d) out.push_back(std::move(*d));
    }
    if (ec) return fail("list " + blobs_dir("sha256") + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace berth::image

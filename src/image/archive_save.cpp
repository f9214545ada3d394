// docker save: a docker-archive whose files sit at content-addressed paths, so the
// same tar is also an OCI image layout (what docker 25+ writes): manifest.json for
// docker's loader, index.json + oci-layout + an OCI manifest per image for OCI tools.
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>

#include "base/file.hpp"
#include "base/unique_fd.hpp"
#include "image/archive.hpp"
#include "image/decompress.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "image/tar_writer.hpp"

namespace berth::image {

namespace {

struct SavedImage {
    std::string id;
    std::vector<Reference> tags;
};

std::string blob_path(const Digest& d) { return "blobs/sha256/" + d.hex; }

// The images to save and the tags each is saved with, as docker chooses them: a
// name with a tag saves that tag, a bare repository name every tag of it on the
// image, an ID no tag.
Result<std::vector<SavedImage>> select_images(ImageStore& store, const std::vector<std::string>& names) {
    std::vector<SavedImage> out;
    std::map<std::string, std::size_t> index;
    for (const auto& name : names) {
        auto id = BERTH_TRY(store.resolve(name));
        auto [it, fresh] = index.emplace(id, out.size());
        if (fresh) out.push_back({id, {}});
        auto& img = out[it->second];
        auto ref = parse_reference(name);
        if (!ref || ref->digest) continue;
        auto summary = BERTH_TRY(store.summary(id));
        bool named_tag = !ref->tag.empty();
        for (const auto& t : summary.repo_tags) {
            auto have = parse_reference(t);
            if (!have || have->repository() != ref->repository()) continue;
            if (named_tag && have->tag != ref->tag) continue;
            if (std::find(img.tags.begin(), img.tags.end(), *have) == img.tags.end())
                img.tags.push_back(*have);
        }
    }
    return out;
}

TarEntry file_entry(std::string path, std::int64_t size) {
    TarEntry e;
    e.path = std::move(path);
    e.size = size;
    e.mode = 0644;
    return e;
}

// The layer's tar as its diff_id names it: the kept blob, decompressed into a
// temporary file first when it arrived compressed (the tar header wants a size).
Result<std::pair<UniqueFd, std::int64_t>> layer_tar(ImageStore& store, const LayerRow& row) {
    auto blob = BERTH_TRY(parse_digest(row.blob));
    auto fd = BERTH_TRY(store.content().open_blob(blob));
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return sys_fail("stat layer blob " + row.blob);
    // A blob whose digest is the diff_id is the tar itself.
    if (row.blob == row.diff_id) return std::pair{std::move(fd), static_cast<std::int64_t>(st.st_size)};
    auto dir = BERTH_TRY(store.new_staging_dir());
    auto tmp = BERTH_TRY(open_fd(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600));
    std::filesystem::remove(dir);
    FdReader compressed(fd.get());
    auto plain = BERTH_TRY(open_decompressed(compressed));
    FdWriter w(tmp.get());
    auto size = BERTH_TRY(copy_stream(*plain, w));
    if (lseek(tmp.get(), 0, SEEK_SET) != 0) return sys_fail("rewind layer");
    return std::pair{std::move(tmp), static_cast<std::int64_t>(size)};
}

class ArchiveWriter {
  public:
    ArchiveWriter(ImageStore& store, ByteWriter& out) : store_(store), tar_(out) {}

    Result<void> add_image(const SavedImage& img) {
        auto cfg = BERTH_TRY(store_.config(img.id));
        auto cfg_digest = cfg.id();
        BERTH_TRYV(add_blob_once(cfg_digest, cfg.raw));
        auto summary = BERTH_TRY(store_.summary(img.id));
        Manifest oci;
        oci.media_type = std::string(media_type::kOciManifest);
        oci.config = {std::string(media_type::kOciConfig), cfg_digest,
                      static_cast<std::int64_t>(cfg.raw.size())};
        Json layers = Json::array();
        for (std::size_t i = 0; i < summary.chain.size(); ++i) {
            auto row = BERTH_TRY(store_.layer(summary.chain[i]));
            auto diff = BERTH_TRY(parse_digest(row.diff_id));
            auto size = BERTH_TRY(add_layer_once(row, diff));
            oci.layers.push_back({std::string(media_type::kOciLayer), diff, size});
            layers.push_back(blob_path(diff));
        }
        Json tags = Json::array();
        for (const auto& t : img.tags) tags.push_back(t.familiar());
        manifest_.push_back({{"Config", blob_path(cfg_digest)},
                             {"RepoTags", img.tags.empty() ? Json(nullptr) : tags},
                             {"Layers", layers}});
        auto oci_raw = to_json(oci);
        auto oci_digest = sha256_of(oci_raw);
        BERTH_TRYV(add_blob_once(oci_digest, oci_raw));
        Descriptor d{std::string(media_type::kOciManifest), oci_digest,
                     static_cast<std::int64_t>(oci_raw.size())};
        if (img.tags.empty()) index_.manifests.push_back(d);
        for (const auto& t : img.tags) {
            d.annotations = {{"io.containerd.image.name", t.str()},
                             {"org.opencontainers.image.ref.name", t.tag}};
            index_.manifests.push_back(d);
            if (!summary.chain.empty())
                repositories_[t.familiar_repository()][t.tag] = summary.chain.back().substr(7);
        }
        return {};
    }

    Result<void> finish() {
        index_.media_type = std::string(media_type::kOciIndex);
        BERTH_TRYV(tar_.add_file("index.json", to_json(index_)));
        BERTH_TRYV(tar_.add_file("manifest.json", manifest_.dump()));
        BERTH_TRYV(tar_.add_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
        if (!repositories_.empty()) BERTH_TRYV(tar_.add_file("repositories", repositories_.dump()));
        return tar_.finish();
    }

  private:
    Result<void> ensure_blob_dirs() {
        if (dirs_written_) return {};
        dirs_written_ = true;
        for (const char* d : {"blobs", "blobs/sha256"}) {
            TarEntry e;
            e.path = d;
            e.type = '5';
            e.mode = 0755;
            BERTH_TRYV(tar_.add(e, nullptr));
        }
        return {};
    }

    Result<void> add_blob_once(const Digest& d, std::string_view data) {
        if (!written_.insert(d.str()).second) return {};
        BERTH_TRYV(ensure_blob_dirs());
        return tar_.add_file(blob_path(d), data);
    }

    Result<std::int64_t> add_layer_once(const LayerRow& row, const Digest& diff) {
        if (auto it = layer_sizes_.find(diff.str()); it != layer_sizes_.end()) return it->second;
        BERTH_TRYV(ensure_blob_dirs());
        auto [fd, size] = BERTH_TRY(layer_tar(store_, row));
        FdReader body(fd.get());
        BERTH_TRYV_CTX(tar_.add(file_entry(blob_path(diff), size), &body), "layer " + row.diff_id);
        written_.insert(diff.str());
        layer_sizes_[diff.str()] = size;
        return size;
    }

    ImageStore& store_;
    TarWriter tar_;
    Json manifest_ = Json::array();
    Json repositories_ = Json::object();
    Index index_;
    std::set<std::string> written_;
    std::map<std::string, std::int64_t> layer_sizes_;
    bool dirs_written_ = false;
};

}  // namespace

Result<void> save_archive(ImageStore& store, const std::vector<std::string>& names, ByteWriter& out) {
    auto images = BERTH_TRY(select_images(store, names));
    ArchiveWriter archive(store, out);
    for (const auto& img : images) BERTH_TRYV_CTX(archive.add_image(img), "save image " + short_id(img.id));
    return archive.finish();
}

}  // namespace berth::image

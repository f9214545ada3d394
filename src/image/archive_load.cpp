#include <cstring>
#include <future>
#include <map>
#include <semaphore>
#include <thread>

#include "base/strings.hpp"
#include "image/archive.hpp"
#include "image/decompress.hpp"
#include "image/manifest.hpp"
#include "image/media_types.hpp"
#include "image/platform.hpp"
#include "image/tar_reader.hpp"

namespace berth::image {

namespace {

constexpr std::size_t kJsonLimit = 16 << 20;  // manifests and configs are small

// "a/./b/../c" → "a/c"; "" for a path that climbs out of the archive.
std::string clean_path(std::string_view path) {
    std::vector<std::string> parts;
    for (auto& part : split(std::string(path), '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (parts.empty()) return "";
            parts.pop_back();
        } else {
            parts.push_back(part);
        }
    }
    return join(parts, "/");
}

std::string parent_dir(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool looks_like_json(std::string_view head) {
    for (char c : head) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        return c == '{' || c == '[';
    }
    return false;
}

std::string blob_media_type(Compression c) {
    switch (c) {
        case Compression::Gzip: return std::string(media_type::kDockerLayerGzip);
        case Compression::Zstd: return std::string(media_type::kOciLayerZstd);
        case Compression::None: break;
    }
    return std::string(media_type::kDockerLayer);
}

// What one pass over the archive collected.
class ArchiveContents {
  public:
    ArchiveContents(ImageStore& store, const Progress& progress) : store_(store), progress_(progress) {}
    ~ArchiveContents() {
        (void)wait_for_unpacking();
        // Layers no image took stay staged only until here; so do blobs no layer uses.
        for (auto& [path, layer] : layers_) store_.release_staged(layer);
    }

    // Reads the archive; layers are written to the content store as they stream in
    // and unpacked from there by workers, so the next layer arrives while the
    // previous ones unpack (file creation is kernel time that scales with cores).
    Result<void> read(ByteReader& in) {
        auto read = read_entries(in);
        auto unpacked = wait_for_unpacking();
        if (!read) return read;
        return unpacked;
    }

    const std::string* json(const std::string& path) const {
        auto it = json_.find(resolve(path));
        return it == json_.end() ? nullptr : &it->second;
    }
    StagedLayer* layer(const std::string& path) {
        auto it = layers_.find(resolve(path));
        return it == layers_.end() ? nullptr : &it->second;
    }

  private:
    Result<void> read_entries(ByteReader& in) {
        TarReader tar(in);
        for (;;) {
            auto entry = BERTH_TRY(tar.next());
            if (!entry) return {};
            std::string path = clean_path(entry->path);
            if (path.empty() && !entry->path.empty() && entry->path != "." && entry->path != "./")
                return fail("archive entry \"" + entry->path + "\" points outside the archive");
            if (entry->type == '2') {
                links_[path] = clean_path(parent_dir(path) + "/" + entry->link);
            } else if (entry->type == '1') {
                links_[path] = clean_path(entry->link);
            } else if (entry->type == '0' || entry->type == '7') {
                BERTH_TRYV_CTX(read_file_entry(path, entry->size, tar.body()),
                               "archive entry " + path);
            }
        }
    }

    std::string resolve(std::string path) const {
        for (int hops = 0; hops < 16; ++hops) {
            auto it = links_.find(path);
            if (it == links_.end()) break;
            path = it->second;
        }
        return path;
    }

    Result<void> read_file_entry(const std::string& path, std::int64_t size, ByteReader& body) {
        PeekableReader peeked(body);
        auto head = BERTH_TRY(peeked.peek(512));
        if (path == "oci-layout" || path == "repositories" || path.ends_with("/VERSION")) return {};
        if (looks_like_json(head)) {
            if (static_cast<std::size_t>(size) > kJsonLimit)
                return fail("JSON document larger than 16 MiB");
            json_[path] = BERTH_TRY(read_all(peeked, kJsonLimit));
            return {};
        }
        return stage_layer(path, peeked, sniff_compression(head));
    }

    Result<void> stage_layer(const std::string& path, ByteReader& body, Compression c) {
        progress_("Loading layer " + std::to_string(layers_.size() + 1) + " (" + path + ")");
        auto layer = BERTH_TRY(store_.stage_blob(body));
        layer.media_type = blob_media_type(c);
        // An archive naming one path twice: the last entry wins, as in tar.
        if (auto old = layers_.find(path); old != layers_.end()) {
            (void)wait_for_unpacking();
            store_.release_staged(old->second);
        }
        layers_[path] = layer;
        unpacking_.push_back({path, std::async(std::launch::async, [this, layer]() mutable {
                                  workers_.acquire();
                                  auto r = store_.unpack_staged(layer);
                                  workers_.release();
                                  return r ? Result<StagedLayer>(std::move(layer))
                                           : std::unexpected(std::move(r.error()));
                              })});
        return {};
    }

    // Waits for every unpacking worker; the first failure is the result.
    Result<void> wait_for_unpacking() {
        Result<void> result;
        for (auto& [path, job] : unpacking_) {
            auto unpacked = job.get();
            if (unpacked) layers_[path] = std::move(*unpacked);
            else if (result) result = std::unexpected(std::move(unpacked.error()).context("layer " + path));
        }
        unpacking_.clear();
        return result;
    }

    ImageStore& store_;
    const Progress& progress_;
    std::map<std::string, std::string> json_;        // path → document
    std::map<std::string, StagedLayer> layers_;      // path → unpacked layer
    std::map<std::string, std::string> links_;       // path → target path
    std::vector<std::pair<std::string, std::future<Result<StagedLayer>>>> unpacking_;
    // Unpacking workers at a time: one per core.
    std::counting_semaphore<> workers_{std::max(1u, std::thread::hardware_concurrency())};
};

// The staged layers an image config lists, checked against its diff_ids.
Result<std::vector<StagedLayer>> layers_for(ArchiveContents& a, const ImageConfig& cfg,
                                            const std::vector<std::string>& paths) {
    if (paths.size() != cfg.rootfs.diff_ids.size())
        return fail("the manifest lists " + std::to_string(paths.size()) +
                    " layers but the image config has " +
                    std::to_string(cfg.rootfs.diff_ids.size()));
    std::vector<StagedLayer> out;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        auto* l = a.layer(paths[i]);
        if (!l) return fail("layer " + std::to_string(i + 1) + " (" + paths[i] + ") is not in the archive");
        if (l->diff_id != cfg.rootfs.diff_ids[i])
            return fail("layer " + std::to_string(i + 1) + " (" + paths[i] + "): content digest " +
                        l->diff_id.str() + " does not match " + cfg.rootfs.diff_ids[i].str() +
                        " in the image config");
        out.push_back(*l);
    }
    return out;
}

Result<ImageConfig> config_at(ArchiveContents& a, const std::string& path) {
    auto* raw = a.json(path);
    if (!raw) return fail("image config " + path + " is not in the archive");
    return with_context(parse_image_config(*raw), "image config " + path);
}

std::string loaded_name(const std::string& id, const std::vector<Reference>& tags,
                        std::vector<std::string>& out) {
    for (const auto& t : tags) out.push_back(with_default_tag(t).familiar());
    if (tags.empty()) out.push_back(id);
    return id;
}

// After commit_image took a layer's directory, later images must not take it again.
void mark_taken(ArchiveContents& a, const std::vector<std::string>& paths) {
    for (const auto& p : paths)
        if (auto* l = a.layer(p)) l->dir.clear();
}

Result<void> load_docker_manifest(ImageStore& store, ArchiveContents& a, const std::string& text,
                                  std::vector<std::string>& loaded) {
    auto doc = BERTH_TRY(parse_json(text, "manifest.json"));
    if (!doc.is_array()) return fail("manifest.json: want a JSON array of images");
    for (std::size_t i = 0; i < doc.size(); ++i) {
        auto ctx = "manifest.json[" + std::to_string(i) + "]";
        const auto& m = doc[i];
        if (!m.is_object() || !m.contains("Config") || !m["Config"].is_string())
            return fail(ctx + ": no Config");
        auto cfg = BERTH_TRY(with_context(config_at(a, m["Config"].get<std::string>()), ctx));
        std::vector<std::string> paths;
        if (m.contains("Layers") && m["Layers"].is_array())
            for (const auto& l : m["Layers"]) paths.push_back(clean_path(l.get<std::string>()));
        auto staged = BERTH_TRY(with_context(layers_for(a, cfg, paths), ctx));
        std::vector<Reference> tags;
        if (m.contains("RepoTags") && m["RepoTags"].is_array())
            for (const auto& t : m["RepoTags"]) {
                auto ref = BERTH_TRY(with_context(parse_reference(t.get<std::string>()), ctx));
                tags.push_back(std::move(ref));
            }
        auto id = BERTH_TRY(store.commit_image(cfg, std::move(staged), tags));
        mark_taken(a, paths);
        loaded_name(id, tags, loaded);
    }
    return {};
}

std::string blob_path(const Digest& d) { return "blobs/" + d.algorithm + "/" + d.hex; }

// The reference an OCI index entry names: docker and containerd write the full name
// in io.containerd.image.name; org.opencontainers.image.ref.name is often a bare tag.
std::optional<Reference> oci_entry_name(const Descriptor& d) {
    for (const char* key : {"io.containerd.image.name", "org.opencontainers.image.ref.name"}) {
        auto it = d.annotations.find(key);
        if (it == d.annotations.end()) continue;
        if (auto ref = parse_reference(it->second)) return *ref;
    }
    return std::nullopt;
}

Result<void> load_oci_manifest(ImageStore& store, ArchiveContents& a, const Descriptor& desc,
                               const std::optional<Reference>& name, std::vector<std::string>& loaded,
                               int depth) {
    if (depth > 4) return fail("OCI indexes nested too deeply");
    auto* raw = a.json(blob_path(desc.digest));
    if (!raw) return fail("manifest " + desc.digest.str() + " is not in the archive");
    auto kind = BERTH_TRY(detect_manifest_kind(*raw));
    if (is_index_kind(kind)) {
        auto index = BERTH_TRY(parse_index(*raw));
        auto chosen = BERTH_TRY(select_manifest(index, host_platform()));
        return load_oci_manifest(store, a, chosen, name, loaded, depth + 1);
    }
    auto manifest = BERTH_TRY(parse_manifest(*raw));
    auto cfg = BERTH_TRY(config_at(a, blob_path(manifest.config.digest)));
    std::vector<std::string> paths;
    for (const auto& l : manifest.layers) {
        auto* staged = a.layer(blob_path(l.digest));
        if (staged && staged->blob != l.digest)
            return fail("layer blob " + l.digest.str() + " does not match its digest");
        paths.push_back(blob_path(l.digest));
    }
    auto staged = BERTH_TRY(layers_for(a, cfg, paths));
    for (std::size_t i = 0; i < staged.size(); ++i) staged[i].media_type = manifest.layers[i].media_type;
    std::vector<Reference> tags;
    if (name) tags.push_back(*name);
    auto id = BERTH_TRY(store.commit_image(cfg, std::move(staged), tags));
    mark_taken(a, paths);
    loaded_name(id, tags, loaded);
    return {};
}

Result<void> load_oci_index(ImageStore& store, ArchiveContents& a, const std::string& text,
                            std::vector<std::string>& loaded) {
    auto index = BERTH_TRY(with_context(parse_index(text), "index.json"));
    for (const auto& d : index.manifests)
        BERTH_TRYV_CTX(load_oci_manifest(store, a, d, oci_entry_name(d), loaded, 0),
                       "index.json: manifest " + d.digest.str());
    return {};
}

}  // namespace

Result<std::vector<std::string>> load_archive(ImageStore& store, ByteReader& in,
                                              const Progress& progress) {
    ArchiveContents archive(store, progress);
    BERTH_TRYV_CTX(archive.read(in), "read image archive");
    std::vector<std::string> loaded;
    // docker-archive first: docker 25+ writes both, with the same images.
    if (const auto* m = archive.json("manifest.json"))
        BERTH_TRYV(load_docker_manifest(store, archive, *m, loaded));
    else if (const auto* idx = archive.json("index.json"))
        BERTH_TRYV(load_oci_index(store, archive, *idx, loaded));
    else
        return fail_as(ErrorKind::invalid_argument,
                       "the archive has neither manifest.json (docker save) nor index.json (OCI "
                       "layout): is it an image archive?");
    return loaded;
}

}  // namespace berth::image

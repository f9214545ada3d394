#include "registry/repository.hpp"

#include <algorithm>
#include <filesystem>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "image/media_types.hpp"

namespace berth::registry {

namespace {

bool is_loopback(std::string_view host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// "host:port" or "[v6]:port" into the host alone.
std::string host_of(std::string_view domain) {
    if (domain.starts_with("[")) return std::string(domain.substr(1, domain.find(']') - 1));
    return std::string(domain.substr(0, domain.rfind(':')));
}

std::string accept_header() {
    using namespace image::media_type;
    return std::string(kOciIndex) + ", " + std::string(kDockerManifestList) + ", " + std::string(kOciManifest) +
           ", " + std::string(kDockerManifest);
}

std::vector<std::string> scopes_for(const image::Reference& ref, Access access,
                                    const std::vector<std::string>& mount_sources) {
    if (access == Access::none) return {};
    std::vector<std::string> scopes{"repository:" + ref.path +
                                    (access == Access::push ? ":pull,push" : ":pull")};
    for (const auto& source : mount_sources) scopes.push_back("repository:" + source + ":pull");
    return scopes;
}

// A registry's TLS files in a certs.d directory (docker's layout,
// <certs_dir>/<host:port>/): ca.crt, trusted besides the system's CAs, and a
// client certificate <name>.cert with its key <name>.key for mutual TLS. A
// certificate without its key (or the reverse) is kept half-filled so that
// loading it fails and names the missing file, as docker refuses such a directory.
struct RegistryTlsFiles {
    std::string ca, cert, key;
    bool any() const { return !ca.empty() || !cert.empty() || !key.empty(); }
};

RegistryTlsFiles registry_tls_files(const RepositoryOptions& opts, std::string_view domain) {
    RegistryTlsFiles files;
    if (opts.certs_dir.empty()) return files;
    std::string dir = path_join(opts.certs_dir, domain);
    if (std::string ca = path_join(dir, "ca.crt"); path_exists(ca)) files.ca = ca;
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        std::string_view base = name;
        if (name.ends_with(".cert"))
            base.remove_suffix(5);
        else if (name.ends_with(".key"))
            base.remove_suffix(4);
        else
            continue;
        files.cert = path_join(dir, std::string(base) + ".cert");
        files.key = path_join(dir, std::string(base) + ".key");
        break;
    }
    return files;
}

// The "host:port" whose certs.d entry applies: the mirror's when there is one.
std::string trust_domain(const image::Reference& ref, const RepositoryOptions& opts) {
    return opts.endpoint ? opts.endpoint->authority() : ref.domain;
}

ClientOptions client_options(RepositoryOptions opts, std::string_view domain) {
    auto files = registry_tls_files(opts, domain);
    opts.http.transport.ca_file = files.ca;
    opts.http.transport.client_cert = files.cert;
    opts.http.transport.client_key = files.key;
    return opts.http;
}

// Where requests go: the mirror given, else the reference's registry.
Url base_url(const image::Reference& ref, const RepositoryOptions& opts) {
    if (!opts.endpoint)
        return registry_base(ref.domain, opts.insecure_registries,
                             registry_tls_files(opts, ref.domain).any());
    Url u = *opts.endpoint;
    u.target = "/";
    return u;
}

// The next `left` bytes of a stream, then its end: one PATCH chunk of a blob.
class SliceReader final : public ByteReader {
  public:
    SliceReader(ByteReader& in, std::uint64_t length) : in_(in), left_(length) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        if (left_ == 0) return 0;
        std::size_t n = BERTH_TRY(
            in_.read(buf, static_cast<std::size_t>(std::min<std::uint64_t>(size, left_))));
        left_ -= n;
        return n;
    }

  private:
    ByteReader& in_;
    std::uint64_t left_;
};

}  // namespace

Url registry_base(std::string_view domain, const std::vector<std::string>& insecure,
                  bool has_tls_files) {
    if (domain == "docker.io") return Url{.tls = true, .host = "registry-1.docker.io", .port = 443, .target = "/"};
    std::string host = host_of(domain);
    bool plain = !has_tls_files && (is_loopback(host) || std::find(insecure.begin(), insecure.end(),
                                                                   domain) != insecure.end());
    Url u{.tls = !plain, .host = host, .port = plain ? 80 : 443, .target = "/"};
    if (auto colon = domain.rfind(':'); colon != std::string_view::npos && !domain.ends_with("]")) {
        if (auto p = parse_int(domain.substr(colon + 1))) u.port = static_cast<int>(*p);
    }
    return u;
}

Repository::Repository(const image::Reference& ref, AuthConfig creds, Access access,
                       RepositoryOptions opts, const std::vector<std::string>& mount_sources)
    : ref_(ref),
      opts_(opts),
      base_(base_url(ref, opts)),
      http_(client_options(opts, trust_domain(ref, opts))),
      auth_(http_, std::move(creds), scopes_for(ref, access, mount_sources)) {}

Url Repository::url(std::string target) const {
    Url u = base_;
    u.target = std::move(target);
    return u;
}

Result<HttpResponse> Repository::send(HttpRequest req) {
    for (;;) {
        HttpRequest attempt = req;
        std::optional<std::string> sent;
        {
            std::lock_guard lock(auth_mu_);
            sent = auth_.header();
        }
        if (sent) attempt.headers.emplace_back("Authorization", *sent);
        auto resp = BERTH_TRY(http_.send(std::move(attempt)));
        if (resp.status != 401 || req.stream) return resp;
        std::lock_guard lock(auth_mu_);
        // Another thread may have renewed the token meanwhile: try that first.
        if (auth_.header() == sent) BERTH_TRYV(auth_.answer(resp.headers));
    }
}

Result<void> Repository::check_login() {
    auto resp = BERTH_TRY(send({.method = "GET", .url = url("/v2/")}));
    if (resp.status == 200) return {};
    return fail("login to " + base_.origin() + ": " + registry_error_text(resp));
}

Result<FetchedManifest> Repository::manifest(std::string_view tag_or_digest) {
    std::string what = ref_.familiar_repository() + ":" + std::string(tag_or_digest);
    if (tag_or_digest.starts_with("sha256:")) what = ref_.familiar_repository() + "@" + std::string(tag_or_digest);
    auto resp = BERTH_TRY(with_context(send({.method = "GET",
                                             .url = url("/v2/" + ref_.path + "/manifests/" + std::string(tag_or_digest)),
                                             .headers = {{"Accept", accept_header()}},
                                             .buffer_limit = kMaxManifestSize}),
                                       "fetch manifest for " + what));
    if (resp.status == 404)
        return fail_as(ErrorKind::not_found, "manifest for " + what + " not found: " + registry_error_text(resp));
    if (resp.status != 200) return fail("fetch manifest for " + what + ": " + registry_error_text(resp));
    FetchedManifest m;
    m.bytes = BERTH_TRY(resp.read_body(kMaxManifestSize));
    m.media_type = std::string(trim(resp.headers.get("Content-Type").value_or("")));
    if (auto semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
    m.digest = image::sha256_of(m.bytes);
    if (tag_or_digest.starts_with("sha256:") && m.digest.str() != tag_or_digest)
        return fail("manifest for " + what + ": digest mismatch: registry sent content with digest " +
                    m.digest.str());
    return m;
}

Result<HttpResponse> Repository::blob(const image::Digest& digest, std::size_t buffer_limit) {
    auto resp = BERTH_TRY(send({.method = "GET",
                                .url = url("/v2/" + ref_.path + "/blobs/" + digest.str()),
                                .buffer_limit = buffer_limit}));
    if (resp.status == 404) return fail_as(ErrorKind::not_found, "blob " + digest.str() + " not found in " + ref_.familiar_repository());
    if (resp.status != 200) return fail("fetch blob " + digest.str() + ": " + registry_error_text(resp));
    return resp;
}

Result<std::string> Repository::blob_bytes(const image::Digest& digest, std::size_t limit) {
    auto resp = BERTH_TRY(with_context(blob(digest, limit), "blob " + digest.str()));
    auto bytes = BERTH_TRY(resp.read_body(limit));
    auto got = image::sha256_of(bytes);
    if (got != digest) return fail("blob " + digest.str() + ": digest mismatch: registry sent " + got.str());
    return bytes;
}

Result<bool> Repository::blob_exists(const image::Digest& digest) {
    auto resp = BERTH_TRY(send({.method = "HEAD", .url = url("/v2/" + ref_.path + "/blobs/" + digest.str())}));
    if (resp.status == 200) return true;
    if (resp.status == 404) return false;
    return fail("check blob " + digest.str() + ": " + registry_error_text(resp));
}

Result<BlobUpload> Repository::start_upload(const image::Digest& digest,
                                            std::string_view mount_from) {
    std::string target = "/v2/" + ref_.path + "/blobs/uploads/";
    if (!mount_from.empty()) {
        target = add_query(target, "mount", digest.str());
        target = add_query(target, "from", std::string(mount_from));
    }
    auto start = BERTH_TRY(send({.method = "POST", .url = url(target)}));
    if (start.status != 201 && start.status != 202)
        return fail("start upload of " + digest.str() + ": " + registry_error_text(start));
    BlobUpload upload{.mounted = start.status == 201};
    if (upload.mounted) return upload;
    auto location = start.headers.get("Location");
    if (!location) return fail("start upload of " + digest.str() + ": registry sent no Location");
    upload.location = BERTH_TRY(resolve_location(start.url, *location));
    // OCI distribution spec, "Pushing a blob in chunks": chunks smaller than this are refused.
    if (auto min = start.headers.get("OCI-Chunk-Min-Length"))
        if (auto n = parse_int(trim(*min)); n && *n > 0)
            upload.min_chunk = static_cast<std::uint64_t>(*n);
    return upload;
}

Result<Url> Repository::send_chunks(Url location, std::uint64_t chunk, const image::Digest& digest,
                                    std::uint64_t size, ByteReader& content) {
    for (std::uint64_t offset = 0; offset < size;) {
        std::uint64_t length = std::min(chunk, size - offset);
        std::string range = std::to_string(offset) + "-" + std::to_string(offset + length - 1);
        SliceReader slice(content, length);
        auto resp = BERTH_TRY(send(
            {.method = "PATCH",
             .url = location,
             .headers = {{"Content-Type", "application/octet-stream"}, {"Content-Range", range}},
             .stream = &slice,
             .stream_length = length}));
        if (resp.status != 202)
            return fail("upload " + digest.str() + ": chunk " + range + ": " +
                        registry_error_text(resp));
        auto next = resp.headers.get("Location");
        if (!next)
            return fail("upload " + digest.str() + ": chunk " + range +
                        ": registry sent no Location");
        location = BERTH_TRY(resolve_location(resp.url, *next));
        offset += length;
    }
    return location;
}

Result<void> Repository::write_upload(const BlobUpload& upload, const image::Digest& digest,
                                      std::uint64_t size, ByteReader& content) {
    HttpRequest put{.method = "PUT",
                    .url = upload.location,
                    .headers = {{"Content-Type", "application/octet-stream"}}};
    if (size > opts_.chunk_threshold) {
        std::uint64_t chunk = std::max<std::uint64_t>(opts_.chunk_size, upload.min_chunk);
        put.url = BERTH_TRY(send_chunks(upload.location, chunk, digest, size, content));
    } else {
        put.stream = &content;
        put.stream_length = size;
    }
    put.url.target = add_query(put.url.target, "digest", digest.str());
    auto done = BERTH_TRY(send(std::move(put)));
    if (done.status != 201) return fail("upload " + digest.str() + ": " + registry_error_text(done));
    return {};
}

Result<void> Repository::upload_blob(const image::Digest& digest, std::uint64_t size,
                                     ByteReader& content) {
    auto upload = BERTH_TRY(start_upload(digest));
    return write_upload(upload, digest, size, content);
}

Result<image::Digest> Repository::put_manifest(std::string_view tag, std::string_view media_type,
                                               const std::string& bytes) {
    auto resp = BERTH_TRY(send({.method = "PUT",
                                .url = url("/v2/" + ref_.path + "/manifests/" + std::string(tag)),
                                .headers = {{"Content-Type", std::string(media_type)}},
                                .body = bytes}));
    if (resp.status != 201) return fail("put manifest " + std::string(tag) + ": " + registry_error_text(resp));
    return image::sha256_of(bytes);
}

}  // namespace berth::registry

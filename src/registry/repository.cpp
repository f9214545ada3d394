#include "registry/repository.hpp"

#include <algorithm>

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

std::vector<std::string> scopes_for(const image::Reference& ref, Access access) {
    if (access == Access::none) return {};
    return {"repository:" + ref.path + (access == Access::push ? ":pull,push" : ":pull")};
}

// The registry's CA file in a certs.d directory, "" when it has none.
std::string registry_ca(const RepositoryOptions& opts, std::string_view domain) {
    if (opts.certs_dir.empty()) return "";
    std::string path = path_join(path_join(opts.certs_dir, domain), "ca.crt");
    return path_exists(path) ? path : "";
}

// The "host:port" whose certs.d entry applies: the mirror's when there is one.
std::string trust_domain(const image::Reference& ref, const RepositoryOptions& opts) {
    return opts.endpoint ? opts.endpoint->authority() : ref.domain;
}

ClientOptions client_options(RepositoryOptions opts, std::string_view domain) {
    if (auto ca = registry_ca(opts, domain); !ca.empty()) opts.http.transport.ca_file = ca;
    return opts.http;
}

// Where requests go: the mirror given, else the reference's registry.
Url base_url(const image::Reference& ref, const RepositoryOptions& opts) {
    if (!opts.endpoint) return registry_base(ref.domain, opts.insecure_registries, !registry_ca(opts, ref.domain).empty());
    Url u = *opts.endpoint;
    u.target = "/";
    return u;
}

}  // namespace

Url registry_base(std::string_view domain, const std::vector<std::string>& insecure, bool has_ca) {
    if (domain == "docker.io") return Url{.tls = true, .host = "registry-1.docker.io", .port = 443, .target = "/"};
    std::string host = host_of(domain);
    bool plain = !has_ca && (is_loopback(host) || std::find(insecure.begin(), insecure.end(), domain) != insecure.end());
    Url u{.tls = !plain, .host = host, .port = plain ? 80 : 443, .target = "/"};
    if (auto colon = domain.rfind(':'); colon != std::string_view::npos && !domain.ends_with("]")) {
        if (auto p = parse_int(domain.substr(colon + 1))) u.port = static_cast<int>(*p);
    }
    return u;
}

Repository::Repository(const image::Reference& ref, AuthConfig creds, Access access, RepositoryOptions opts)
    : ref_(ref),
      base_(base_url(ref, opts)),
      http_(client_options(opts, trust_domain(ref, opts))),
      auth_(http_, std::move(creds), scopes_for(ref, access)) {}

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

Result<void> Repository::upload_blob(const image::Digest& digest, std::uint64_t size, ByteReader& content) {
    auto start = BERTH_TRY(send({.method = "POST", .url = url("/v2/" + ref_.path + "/blobs/uploads/")}));
    if (start.status != 202) return fail("start upload of " + digest.str() + ": " + registry_error_text(start));
    auto location = start.headers.get("Location");
    if (!location) return fail("start upload of " + digest.str() + ": registry sent no Location");
    auto target = BERTH_TRY(resolve_location(start.url, *location));
    target.target = add_query(target.target, "digest", digest.str());
    auto done = BERTH_TRY(send({.method = "PUT",
                                .url = target,
                                .headers = {{"Content-Type", "application/octet-stream"}},
                                .stream = &content,
                                .stream_length = size}));
    if (done.status != 201) return fail("upload " + digest.str() + ": " + registry_error_text(done));
    return {};
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

// One repository on one registry ("127.0.0.1:5000" + "library/busybox"): the
// distribution API's manifest and blob endpoints (spec "Pull", "Push",
// "Checking if content exists"), with authentication handled underneath.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "image/digest.hpp"
#include "image/reference.hpp"
#include "registry/auth.hpp"
#include "registry/credentials.hpp"
#include "registry/http_client.hpp"

namespace berth::registry {

// The largest manifest accepted (the spec lets registries refuse > 4 MiB).
inline constexpr std::size_t kMaxManifestSize = 4 << 20;

// Where a registry domain is served: Docker Hub's API host for docker.io; plain
// HTTP for localhost, 127.0.0.0/8 and ::1 (insecure by default, as in docker),
// and for any domain listed in `insecure` — unless `has_tls_files`: a registry
// given a CA or client certificate (certs.d) is spoken to over TLS wherever it is.
Url registry_base(std::string_view domain, const std::vector<std::string>& insecure = {},
                  bool has_tls_files = false);

struct FetchedManifest {
    std::string media_type;  // Content-Type, or the document's own mediaType
    std::string bytes;
    image::Digest digest;    // sha256 of `bytes`
};

struct RepositoryOptions {
    ClientOptions http;
    // Blobs larger than this go in PATCH chunks of `chunk_size` bytes (or the
    // registry's OCI-Chunk-Min-Length, if larger); smaller ones in one PUT.
    std::uint64_t chunk_threshold = 16 << 20;
    std::uint64_t chunk_size = 16 << 20;
    std::vector<std::string> insecure_registries;
    // Per-registry TLS, docker's certs.d layout: <certs_dir>/<host:port>/ca.crt
    // (a CA to trust) and <name>.cert + <name>.key (a client certificate).
    std::string certs_dir;
    // Where to send the requests instead of the reference's registry: a mirror
    // ("http://127.0.0.1:5000/"), spoken to over its own scheme.
    std::optional<Url> endpoint;
};

// What tokens are asked for (the scope's actions); `none` for a login check.
enum class Access { none, pull, push };

// An upload the registry opened (spec "Pushing blobs"): where the bytes go next,
// or nothing to send because the registry mounted the blob from another repository.
struct BlobUpload {
    bool mounted = false;
    Url location;
    std::uint64_t min_chunk = 0;  // the registry's OCI-Chunk-Min-Length, 0 if none
};

class Repository {
  public:
    // A session for `ref`'s repository. `mount_sources` are other repositories
    // of the same registry ("library/busybox") blobs may be mounted from: tokens
    // are asked with pull access to them as well.
    Repository(const image::Reference& ref, AuthConfig creds, Access access,
               RepositoryOptions opts = {}, const std::vector<std::string>& mount_sources = {});

    // GET /v2/ with authentication: whether the credentials are accepted (login).
    Result<void> check_login();

    // A manifest by tag or digest, with every manifest type berth reads in Accept.
    // By digest the bytes are verified against it. 404 is ErrorKind::not_found.
    Result<FetchedManifest> manifest(std::string_view tag_or_digest);
    // A blob's body, streaming (the caller verifies the digest as it reads), or
    // read whole first when `buffer_limit` is nonzero (see HttpRequest).
    Result<HttpResponse> blob(const image::Digest& digest, std::size_t buffer_limit = 0);
    // A small blob (a config) read whole and verified.
    Result<std::string> blob_bytes(const image::Digest& digest, std::size_t limit);

    // HEAD: whether the registry has the blob.
    Result<bool> blob_exists(const image::Digest& digest);
    // POST .../blobs/uploads/. With `mount_from` (another repository of this
    // registry) it asks for a cross-repository mount (?mount=<digest>&from=): a 201
    // answer means mounted, a 202 an ordinary upload session (the registry could
    // not, or would not, mount).
    Result<BlobUpload> start_upload(const image::Digest& digest, std::string_view mount_from = {});
    // Sends the `size` bytes of `content` into `upload` and closes it with PUT
    // ?digest=: in that one PUT up to chunk_threshold, else in PATCH chunks with
    // Content-Range, then an empty PUT; each step goes where the last answer's
    // Location said.
    Result<void> write_upload(const BlobUpload& upload, const image::Digest& digest,
                              std::uint64_t size, ByteReader& content);
    // start_upload (no mount) then write_upload.
    Result<void> upload_blob(const image::Digest& digest, std::uint64_t size, ByteReader& content);
    // PUT the manifest under `tag`; returns the digest the registry reports.
    Result<image::Digest> put_manifest(std::string_view tag, std::string_view media_type, const std::string& bytes);

    const image::Reference& reference() const { return ref_; }

  private:
    // Sends with the current authorization; a 401 is answered and the request
    // sent again (not for a streamed body: those go after a HEAD has authenticated).
    Result<HttpResponse> send(HttpRequest req);
    Url url(std::string target) const;
    // PATCHes `size` bytes in chunks starting at `location`; returns where to PUT.
    Result<Url> send_chunks(Url location, std::uint64_t chunk, const image::Digest& digest,
                            std::uint64_t size, ByteReader& content);

    image::Reference ref_;
    RepositoryOptions opts_;
    Url base_;
    HttpClient http_;
    Authorizer auth_;
    std::mutex auth_mu_;  // layers are fetched on several threads
};

}  // namespace berth::registry

// Content digests ("sha256:<64 hex>"), the addresses of everything in the image
// store (OCI image-spec descriptor.md, "Digests"). Only sha256 is produced; sha512
// is recognised so that a digest naming it gets a precise "unsupported" error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::image {

struct Digest {
    std::string algorithm;  // "sha256"
    std::string hex;        // lowercase, 64 characters for sha256

    std::string str() const { return algorithm + ":" + hex; }
    bool empty() const { return hex.empty(); }
    friend bool operator==(const Digest&, const Digest&) = default;
    friend auto operator<=>(const Digest&, const Digest&) = default;
};

// Parses "sha256:<64 lowercase hex>"; anything else is an error naming the input.
Result<Digest> parse_digest(std::string_view text);

// Incremental sha256, for data that streams (a layer, a blob being written).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // Finishes the hash; the object must not be updated afterwards.
    Digest finish();

private:
    void* ctx_;  // EVP_MD_CTX*, kept opaque so users need no OpenSSL headers
};

Digest sha256_of(std::string_view data);

}  // namespace berth::image

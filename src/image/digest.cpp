#include "image/digest.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace berth::image {

namespace {

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

Result<Digest> parse_digest(std::string_view text) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return fail("invalid digest \"" + std::string(text) + "\": want sha256:<64 hex digits>");
    std::string_view algo = text.substr(0, colon), hex = text.substr(colon + 1);
    if (algo == "sha512")
        return fail("unsupported digest algorithm \"sha512\" in \"" + std::string(text) + "\"");
    if (algo != "sha256" || hex.size() != 64 || !is_lower_hex(hex))
        return fail("invalid digest \"" + std::string(text) + "\": want sha256:<64 hex digits>");
    return Digest{std::string(algo), std::string(hex)};
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    // Allocation failure of a few hundred bytes is not recoverable here.
    if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
        std::abort();
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(const void* data, std::size_t size) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

Digest Sha256::finish() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex(len * 2, '0');
    for (unsigned int i = 0; i < len; ++i) {
        hex[2 * i] = kHex[md[i] >> 4];
        hex[2 * i + 1] = kHex[md[i] & 15];
    }
    return Digest{"sha256", std::move(hex)};
}

Digest sha256_of(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish();
}

}  // namespace berth::image

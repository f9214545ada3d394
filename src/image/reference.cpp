#include "image/reference.hpp"

#include <algorithm>

namespace berth::image {

namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";
// distribution/reference: NameTotalLengthMax, and the tag grammar [\w][\w.-]{0,127}.
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_word(char c) {
    return is_alnum(c) || c == '_';
}
bool is_lower_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

// A malformed reference is the caller's mistake: invalid_argument, so the API
// answers 400 as docker does, not 500.
std::unexpected<Error> bad_reference(std::string message) {
    return fail_as(ErrorKind::invalid_argument, std::move(message));
}

std::unexpected<Error> invalid(std::string_view text, std::string_view why) {
    return bad_reference("invalid reference format: " + std::string(why) + " in \"" +
                         std::string(text) + "\"");
}

// A path component: lowercase alphanumerics joined by ".", "_", "__" or a run of "-".
bool valid_path_component(std::string_view c) {
    if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
    size_t i = 0;
    while (i < c.size()) {
        if (is_lower_alnum(c[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < c.size() && !is_lower_alnum(c[j])) ++j;
        std::string_view sep = c.substr(i, j - i);
        bool dashes = std::all_of(sep.begin(), sep.end(), [](char x) { return x == '-'; });
        if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
        i = j;
    }
    return true;
}

// Whether every `sep`-separated part of `s` (empty ones included) satisfies `ok`.
template <typename Pred>
bool all_parts(std::string_view s, char sep, Pred ok) {
    size_t start = 0;
    while (true) {
        size_t end = s.find(sep, start);
        if (!ok(s.substr(start, end - start))) return false;
        if (end == std::string_view::npos) return true;
        start = end + 1;
    }
}

// A DNS label: alphanumerics, with inner hyphens.
bool valid_domain_component(std::string_view c) {
    if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
    return std::all_of(c.begin(), c.end(), [](char x) { return is_alnum(x) || x == '-'; });
}

bool valid_port(std::string_view p) {
    return !p.empty() && std::all_of(p.begin(), p.end(), is_digit);
}

// host[:port], where host is a dotted DNS name, an IPv4 address (which the DNS
// form already covers) or a bracketed IPv6 address ("[::1]:5000").
bool valid_domain(std::string_view d) {
    std::string_view host = d, port;
    if (d.starts_with('[')) {
        size_t close = d.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        std::string_view addr = d.substr(1, close - 1);
        if (!std::all_of(addr.begin(), addr.end(), [](char c) { return is_hex(c) || c == ':'; }))
            return false;
        std::string_view rest = d.substr(close + 1);
        if (rest.empty()) return true;
        return rest.front() == ':' && valid_port(rest.substr(1));
    }
    if (size_t colon = d.find(':'); colon != std::string_view::npos) {
        host = d.substr(0, colon);
        port = d.substr(colon + 1);
        if (!valid_port(port)) return false;
    }
    return all_parts(host, '.', valid_domain_component);
}

bool valid_tag(std::string_view t) {
    if (t.empty() || t.size() > kMaxTagLength || !is_word(t.front())) return false;
    return std::all_of(t.begin(), t.end(),
                       [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

// Docker's rule for whether "a/b" starts with a registry: "a" has '.' or ':', is
// "localhost", or has an uppercase letter (never valid in a repository path).
bool is_domain_component(std::string_view first) {
    return first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
           std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

void split_domain(std::string_view name, Reference& ref) {
    size_t slash = name.find('/');
    if (slash == std::string_view::npos || !is_domain_component(name.substr(0, slash))) {
        ref.domain = kDefaultDomain;
        ref.path = name;
    } else {
        ref.domain = name.substr(0, slash);
        ref.path = name.substr(slash + 1);
    }
    if (ref.domain == kLegacyDefaultDomain) ref.domain = kDefaultDomain;
    if (ref.domain == kDefaultDomain && ref.path.find('/') == std::string::npos)
        ref.path = std::string(kOfficialRepoPrefix) + ref.path;
}

std::string with_tag_and_digest(std::string base, const Reference& ref) {
    if (!ref.tag.empty()) base += ":" + ref.tag;
    if (ref.digest) base += "@" + ref.digest->str();
    return base;
}

}  // namespace

std::string Reference::repository() const {
    return domain + "/" + path;
}

std::string Reference::familiar_repository() const {
    if (domain != kDefaultDomain) return repository();
    std::string_view p = path;
    if (p.starts_with(kOfficialRepoPrefix) &&
        p.find('/', kOfficialRepoPrefix.size()) == std::string_view::npos)
        p.remove_prefix(kOfficialRepoPrefix.size());
    return std::string(p);
}

std::string Reference::str() const {
    return with_tag_and_digest(repository(), *this);
}

std::string Reference::familiar() const {
    return with_tag_and_digest(familiar_repository(), *this);
}

Result<Reference> parse_reference(std::string_view text) {
    if (text.empty()) return bad_reference("invalid reference format: empty reference");
    if (text.size() == 64 && std::all_of(text.begin(), text.end(), is_lower_hex))
        return bad_reference("invalid repository name (" + std::string(text) +
                             "), cannot specify 64-byte hexadecimal strings");
    Reference ref;
    std::string_view name = text;
    if (size_t at = name.find('@'); at != std::string_view::npos) {
        auto d = parse_digest(name.substr(at + 1));
        if (!d) return invalid(text, d.error().message);
        ref.digest = std::move(*d);
        name = name.substr(0, at);
    }
    // A ':' after the last '/' starts the tag; one before it is a registry port.
    size_t colon = name.rfind(':');
    size_t slash = name.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        ref.tag = name.substr(colon + 1);
        name = name.substr(0, colon);
        if (!valid_tag(ref.tag))
            return invalid(text,
                           "tag \"" + ref.tag + "\" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    }
    if (name.empty()) return invalid(text, "repository name must have at least one component");
    split_domain(name, ref);
    if (std::any_of(ref.path.begin(), ref.path.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        return bad_reference("invalid reference format: repository name (" + ref.path +
                             ") must be lowercase");
    if (!valid_domain(ref.domain))
        return invalid(text, "registry \"" + ref.domain + "\" is not a valid host[:port]");
    if (!all_parts(ref.path, '/', valid_path_component))
        return invalid(text, "repository path \"" + ref.path +
                                 "\" must be lowercase letters and digits separated by "
                                 "'/', '.', '_', '__' or '-'");
    if (ref.repository().size() > kMaxNameLength)
        return invalid(text, "repository name must not be more than 255 characters");
    return ref;
}

Reference with_default_tag(Reference ref) {
    if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
    return ref;
}

std::optional<std::string> image_id_prefix(std::string_view text) {
    std::string_view hex = text;
    if (hex.starts_with("sha256:")) hex.remove_prefix(7);
    if (hex.empty() || hex.size() > 64 || !std::all_of(hex.begin(), hex.end(), is_lower_hex))
        return std::nullopt;
    return std::string(hex);
}

}  // namespace berth::image

#include "image/tar_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "image/tar_format.hpp"

namespace berth::image {

namespace tf = tar_format;

namespace {

// Extension payloads are names and small key=value sets; anything bigger is hostile
// or broken, and holding it in memory is what an attacker would want.
constexpr std::int64_t kMaxLongName = 64 * 1024;
constexpr std::int64_t kMaxPaxHeader = 1024 * 1024;  // all extension headers of one entry

std::string_view field(const char* block, tf::Field f) {
    std::string_view s(block + f.offset, f.size);
    return s.substr(0, std::min(s.find('\0'), s.size()));
}

// A numeric field: octal text (padded with spaces or NULs), or GNU base-256 when the
// high bit of the first byte is set (big-endian two's complement, for values octal
// cannot hold: uids above 2097151, sizes of 8 GiB and more).
Result<std::int64_t> parse_number(const char* block, tf::Field f, std::string_view what) {
    const auto* p = reinterpret_cast<const unsigned char*>(block + f.offset);
    if (p[0] & 0x80) {
        bool negative = p[0] & 0x40;
        std::uint64_t v = negative ? ~std::uint64_t{0} : 0;
        for (std::size_t i = 0; i < f.size; ++i) {
            unsigned char byte = i == 0 ? static_cast<unsigned char>(p[0] & 0x7f) : p[i];
            if (i == 0 && negative) byte |= 0x80;
            if (i + 8 < f.size && byte != (negative ? 0xff : 0x00))
                return fail(std::string(what) + ": base-256 value out of range");
            v = (v << 8) | byte;
        }
        auto sv = static_cast<std::int64_t>(v);
        if ((sv < 0) != negative) return fail(std::string(what) + ": base-256 value out of range");
        return sv;
    }
    std::size_t i = 0;
    while (i < f.size && (p[i] == ' ' || p[i] == '\0')) ++i;
    std::uint64_t v = 0;
    for (; i < f.size && p[i] >= '0' && p[i] <= '7'; ++i) {
        if (v > (std::numeric_limits<std::uint64_t>::max() >> 4)) return fail(std::string(what) + ": too large");
        v = v * 8 + (p[i] - '0');
    }
    for (; i < f.size; ++i)
        if (p[i] != ' ' && p[i] != '\0')
            return fail(std::string(what) + ": malformed octal number");
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return fail(std::string(what) + ": too large");
    return static_cast<std::int64_t>(v);
}

Result<std::uint32_t> parse_u32(const char* block, tf::Field f, std::string_view what) {
    std::int64_t v = BERTH_TRY(parse_number(block, f, what));
    if (v < 0 || v > std::numeric_limits<std::uint32_t>::max())
        return fail(std::string(what) + ": out of range");
    return static_cast<std::uint32_t>(v);
}

Result<std::int64_t> parse_decimal(std::string_view s, std::string_view what) {
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("pax " + std::string(what) + " \"" + std::string(s) + "\" is not a number");
    return std::stoll(std::string(s));
}

// pax mtime: "[-]seconds[.fraction]", the fraction up to nanoseconds.
Result<timespec> parse_pax_time(std::string_view s) {
    bool negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    auto dot = s.find('.');
    std::int64_t sec = BERTH_TRY(parse_decimal(s.substr(0, dot), "mtime"));
    long nsec = 0;
    if (dot != std::string_view::npos) {
        std::string_view frac = s.substr(dot + 1);
        if (!std::all_of(frac.begin(), frac.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return fail("pax mtime fraction \"" + std::string(frac) + "\" is not a number");
        for (std::size_t i = 0; i < 9; ++i) nsec = nsec * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    }
    timespec t{};
    t.tv_sec = negative ? -sec : sec;
    t.tv_nsec = nsec;
    if (negative && nsec > 0) {  // -1.25 is 1.25 s before the epoch: (-2 s, +0.75 s)
        t.tv_sec -= 1;
        t.tv_nsec = 1000000000 - nsec;
    }
    return t;
}

// pax extended header records: "<length> <key>=<value>\n", the length counting the
// whole record (POSIX pax, "pax Extended Header").
Result<std::map<std::string, std::string>> parse_pax_records(std::string_view data) {
    std::map<std::string, std::string> out;
    while (!data.empty()) {
        auto sp = data.find(' ');
        if (sp == std::string_view::npos) return fail("pax header: record without a length");
        std::int64_t len = BERTH_TRY(parse_decimal(data.substr(0, sp), "record length"));
        if (len <= static_cast<std::int64_t>(sp) + 1 || static_cast<std::size_t>(len) > data.size() ||
            data[len - 1] != '\n')
            return fail("pax header: malformed record length");
        std::string_view rec = data.substr(sp + 1, len - sp - 2);
        auto eq = rec.find('=');
        if (eq == std::string_view::npos || eq == 0) return fail("pax header: record without key=value");
        out[std::string(rec.substr(0, eq))] = std::string(rec.substr(eq + 1));
        data.remove_prefix(len);
    }
    return out;
}

Result<void> apply_pax(TarEntry& e, const std::map<std::string, std::string>& pax) {
    for (const auto& [key, value] : pax) {
        if (key == "path") {
            e.path = value;
        } else if (key == "linkpath") {
            e.link = value;
        } else if (key == "size") {
            e.size = BERTH_TRY(parse_decimal(value, key));
        } else if (key == "uid" || key == "gid") {
            std::int64_t v = BERTH_TRY(parse_decimal(value, key));
            if (v > std::numeric_limits<std::uint32_t>::max()) return fail("pax " + key + " out of range");
            (key == "uid" ? e.uid : e.gid) = static_cast<std::uint32_t>(v);
        } else if (key == "mtime") {
            e.mtime = BERTH_TRY(parse_pax_time(value));
        } else if (key.starts_with("SCHILY.xattr.")) {
            e.xattrs[key.substr(13)] = value;
        }
        // Other keys (atime, ctime, uname, gname, comment, charset...) carry nothing a
        // layer needs.
    }
    return {};
}

// Normalises the historic regular-file spellings; refuses what a layer cannot hold.
Result<char> entry_type(char flag, std::string_view path) {
    switch (flag) {
    case '\0':
    case '7':  // contiguous file: a regular file everywhere that matters
        return path.ends_with('/') ? '5' : '0';  // pre-POSIX tars mark dirs by a '/'
    case '0': case '1': case '2': case '3': case '4': case '5': case '6':
        return flag;
    default: {
        char shown[8];
        auto code = static_cast<unsigned char>(flag);
        std::snprintf(shown, sizeof shown, code >= 32 && code < 127 ? "%c" : "\\x%02x", code);
        return fail(std::string("unsupported tar entry type '") + shown + "' (sparse, multi-volume and vendor types are not supported in layers)");
    }
    }
}

}  // namespace

// Serves the current entry's data and counts down, so next() knows what to skip.
class TarReader::Body final : public ByteReader {
  public:
    Body(ByteReader& in, std::uint64_t size) : in_(in), remaining_(size), padding_(tf::padding(size)) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        size = static_cast<std::size_t>(std::min<std::uint64_t>(size, remaining_));
        if (size == 0) return 0;
        std::size_t n = BERTH_TRY(in_.read(buf, size));
        if (n == 0) return fail("tar: unexpected end of archive inside an entry's data");
        remaining_ -= n;
        return n;
    }
    // Skips the unread data and the padding up to the next header.
    Result<void> skip() {
        char buf[1 << 14];
        std::uint64_t left = remaining_ + padding_;
        while (left > 0) {
            std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof buf));
            BERTH_TRYV_CTX(read_exact(in_, buf, chunk), "tar: skip entry data");
            left -= chunk;
        }
        remaining_ = padding_ = 0;
        return {};
    }

  private:
    ByteReader& in_;
    std::uint64_t remaining_;
    std::uint64_t padding_;
};

TarReader::TarReader(ByteReader& in) : in_(in) {}
TarReader::~TarReader() = default;

Result<void> TarReader::skip_rest() {
    if (body_) BERTH_TRYV(body_->skip());
    body_.reset();
    return {};
}

ByteReader& TarReader::body() {
    if (!body_) body_ = std::make_unique<Body>(in_, 0);
    return *body_;
}

namespace {

// What extension headers said about the entry that follows them.
struct Extensions {
    std::optional<std::string> long_name, long_link;  // GNU 'L' and 'K'
    std::map<std::string, std::string> pax;           // pax 'x' records
    std::int64_t bytes = 0;                           // all of them, against the bound
    bool pending() const { return long_name || long_link || !pax.empty(); }
};

// A whole header block; false at a clean end of stream before its first byte.
Result<bool> read_block(ByteReader& in, char* block) {
    std::size_t got = 0;
    while (got < tf::kBlock) {
        std::size_t n = BERTH_TRY(in.read(block + got, tf::kBlock - got));
        if (n == 0) break;
        got += n;
    }
    if (got == 0) return false;
    if (got < tf::kBlock) return fail("tar: unexpected end of archive inside a header");
    return true;
}

// Reads an extension header's payload (and padding) into `ext`.
Result<void> read_extension(ByteReader& in, char flag, std::int64_t size, Extensions& ext) {
    ext.bytes += size;
    if (size < 0 || ext.bytes > kMaxPaxHeader || ((flag == 'L' || flag == 'K') && size > kMaxLongName))
        return fail("extension header of " + std::to_string(size) + " bytes exceeds the size limit");
    std::string data(static_cast<std::size_t>(size), '\0');
    BERTH_TRYV(read_exact(in, data.data(), data.size()));
    char pad[tf::kBlock];
    BERTH_TRYV(read_exact(in, pad, tf::padding(static_cast<std::uint64_t>(size))));
    if (flag == 'L' || flag == 'K') {
        data.resize(std::min(data.find('\0'), data.size()));
        (flag == 'L' ? ext.long_name : ext.long_link) = std::move(data);
    } else if (flag == 'x') {
        for (auto& [k, v] : BERTH_TRY(parse_pax_records(data))) ext.pax[k] = std::move(v);
    }
    // 'g' (global pax defaults) is skipped: layer tools do not put anything a layer
    // needs there.
    return {};
}

// The entry a (checksummed) header block and the extensions before it describe.
Result<TarEntry> entry_from_header(const char* block, const std::string& name, std::int64_t size,
                                   const Extensions& ext) {
    TarEntry e;
    e.path = ext.long_name ? *ext.long_name : name;
    e.type = BERTH_TRY(entry_type(block[tf::kType.offset], e.path));
    e.link = ext.long_link ? *ext.long_link : std::string(field(block, tf::kLinkname));
    e.mode = BERTH_TRY(parse_u32(block, tf::kMode, "mode")) & 07777;
    e.uid = BERTH_TRY(parse_u32(block, tf::kUid, "uid"));
    e.gid = BERTH_TRY(parse_u32(block, tf::kGid, "gid"));
    e.size = size;
    e.mtime.tv_sec = BERTH_TRY(parse_number(block, tf::kMtime, "mtime"));
    if (e.type == '3' || e.type == '4') {
        e.devmajor = BERTH_TRY(parse_u32(block, tf::kDevmajor, "devmajor"));
        e.devminor = BERTH_TRY(parse_u32(block, tf::kDevminor, "devminor"));
    }
    BERTH_TRYV(apply_pax(e, ext.pax));
    if (e.size < 0) return fail("negative size");
    // Only regular files carry data: the other types are header-only whatever
    // their size field says, as Go's archive/tar (Docker's reader) treats them.
    if (e.type != '0') e.size = 0;
    while (e.path.size() > 1 && e.path.ends_with('/')) e.path.pop_back();
    if (e.path.empty()) return fail("empty path");
    return e;
}

}  // namespace

Result<std::optional<TarEntry>> TarReader::next() {
    if (done_) return std::nullopt;
    BERTH_TRYV(skip_rest());
    Extensions ext;
    for (;;) {
        char block[tf::kBlock];
        bool got = BERTH_TRY(read_block(in_, block));
        bool zero = got && std::all_of(block, block + sizeof block, [](char c) { return c == 0; });
        if (!got || zero) {
            // The end-of-archive marker, or a stream ending between entries
            // (tolerated, as GNU tar and Go's archive/tar do).
            if (ext.pending()) return fail("tar: archive ends right after an extension header");
            done_ = true;
            return std::nullopt;
        }
        std::int64_t stored = BERTH_TRY(with_context(parse_number(block, tf::kChecksum, "checksum"), "tar header"));
        if (stored != tf::header_checksum(block, false) && stored != tf::header_checksum(block, true))
            return fail("tar: header checksum mismatch (not a tar archive, or corrupt) for \"" +
                        std::string(field(block, tf::kName)) + "\"");

        std::string name(field(block, tf::kName));
        bool is_ustar = field(block, tf::kMagic) == "ustar" && std::string_view(block + tf::kVersion.offset, 2) == "00";
        if (is_ustar && block[tf::kPrefix.offset] != '\0')
            name = std::string(field(block, tf::kPrefix)) + "/" + name;
        auto ctx = "tar entry \"" + name + "\"";
        std::int64_t size = BERTH_TRY(with_context(parse_number(block, tf::kSize, "size"), ctx));
        char flag = block[tf::kType.offset];
        if (flag == 'L' || flag == 'K' || flag == 'x' || flag == 'g') {
            BERTH_TRYV_CTX(read_extension(in_, flag, size, ext), ctx);
            continue;
        }
        TarEntry e = BERTH_TRY(with_context(entry_from_header(block, name, size, ext), ctx));
        body_ = std::make_unique<Body>(in_, static_cast<std::uint64_t>(e.size));
        return e;
    }
}

}  // namespace berth::image

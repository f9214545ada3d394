#include "image/tar_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "image/tar_format.hpp"

namespace berth::image {

namespace tf = tar_format;

namespace {

// Writes `v` as zero-padded octal with a terminating NUL; false when it does not fit.
bool put_octal(char* block, tf::Field f, std::uint64_t v) {
    std::size_t digits = f.size - 1;
    if (digits < 22 && v >> (3 * digits) != 0) return false;
    for (std::size_t i = digits; i-- > 0; v >>= 3) block[f.offset + i] = static_cast<char>('0' + (v & 7));
    block[f.offset + digits] = '\0';
    return true;
}

void put_string(char* block, tf::Field f, std::string_view s) {
    if (!s.empty()) std::memcpy(block + f.offset, s.data(), std::min(s.size(), f.size));
}

// One pax record; its decimal length counts itself, so grow until it is stable.
std::string pax_record(std::string_view key, std::string_view value) {
    std::size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
    std::size_t len = body + 1;
    while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
    return std::to_string(len) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

// Splits a path into ustar prefix (155) and name (100) at a '/', if possible.
bool split_ustar_path(std::string_view path, std::string_view& prefix, std::string_view& name) {
    if (path.size() <= tf::kName.size) {
        prefix = {};
        name = path;
        return true;
    }
    for (std::size_t i = path.size(); i-- > 0;) {
        if (path[i] != '/') continue;
        if (i > tf::kPrefix.size || i + 1 == path.size()) continue;
        if (path.size() - i - 1 > tf::kName.size) return false;
        prefix = path.substr(0, i);
        name = path.substr(i + 1);
        return true;
    }
    return false;
}

std::string pax_time(timespec t) {
    // pax wants "[-]sec.frac" with the fraction positive in value: -0.25 s is
    // (tv_sec -1, tv_nsec 750000000).
    std::int64_t sec = t.tv_sec;
    long nsec = t.tv_nsec;
    std::string sign;
    if (sec < 0 && nsec > 0) {
        sec += 1;
        nsec = 1000000000 - nsec;
    }
    if (sec < 0 || (sec == 0 && t.tv_sec < 0)) {
        sign = "-";
        sec = -sec;
    }
    std::string out = sign + std::to_string(sec);
    if (nsec != 0) {
        char frac[16];
        std::snprintf(frac, sizeof frac, ".%09ld", nsec);
        std::string f(frac);
        while (f.back() == '0') f.pop_back();
        out += f;
    }
    return out;
}

constexpr std::uint64_t kMaxOctal7 = 07777777, kMaxOctal11 = 077777777777;

// The pax records an entry needs beyond what its ustar header can say.
std::string pax_records_for(const TarEntry& e, std::string_view path) {
    std::string recs;
    std::string_view prefix, name;
    if (!split_ustar_path(path, prefix, name)) recs += pax_record("path", path);
    if (e.link.size() > tf::kLinkname.size) recs += pax_record("linkpath", e.link);
    if (e.uid > kMaxOctal7) recs += pax_record("uid", std::to_string(e.uid));
    if (e.gid > kMaxOctal7) recs += pax_record("gid", std::to_string(e.gid));
    if (static_cast<std::uint64_t>(e.size) > kMaxOctal11) recs += pax_record("size", std::to_string(e.size));
    if (e.mtime.tv_nsec != 0 || e.mtime.tv_sec < 0 || static_cast<std::uint64_t>(e.mtime.tv_sec) > kMaxOctal11)
        recs += pax_record("mtime", pax_time(e.mtime));
    for (const auto& [k, v] : e.xattrs) recs += pax_record("SCHILY.xattr." + k, v);
    return recs;
}

}  // namespace

Result<void> TarWriter::write_header(const TarEntry& e, std::string_view path, char type, std::int64_t size) {
    char block[tf::kBlock] = {};
    std::string_view prefix, name;
    if (!split_ustar_path(path, prefix, name)) {
        prefix = {};
        name = path.substr(0, tf::kName.size);  // the pax "path" record is authoritative
    }
    put_string(block, tf::kName, name);
    put_string(block, tf::kPrefix, prefix);
    put_octal(block, tf::kMode, e.mode & 07777);
    // Values that do not fit were written to the pax header, which overrides these.
    put_octal(block, tf::kUid, e.uid <= kMaxOctal7 ? e.uid : 0);
    put_octal(block, tf::kGid, e.gid <= kMaxOctal7 ? e.gid : 0);
    put_octal(block, tf::kSize, static_cast<std::uint64_t>(size) <= kMaxOctal11 ? size : 0);
    std::uint64_t mtime = e.mtime.tv_sec < 0 ? 0 : static_cast<std::uint64_t>(e.mtime.tv_sec);
    put_octal(block, tf::kMtime, mtime <= kMaxOctal11 ? mtime : 0);
    block[tf::kType.offset] = type;
    put_string(block, tf::kLinkname, std::string_view(e.link).substr(0, tf::kLinkname.size));
    put_string(block, tf::kMagic, std::string_view("ustar\0", 6));
    put_string(block, tf::kVersion, "00");
    if (type == '3' || type == '4') {
        // Linux majors are 12 bits and minors 20: both fit 7 octal digits.
        put_octal(block, tf::kDevmajor, e.devmajor);
        put_octal(block, tf::kDevminor, e.devminor);
    }
    std::int64_t sum = tf::header_checksum(block, false);
    std::snprintf(block + tf::kChecksum.offset, tf::kChecksum.size, "%06o", static_cast<unsigned>(sum));
    block[tf::kChecksum.offset + 7] = ' ';
    return out_.write(std::string_view(block, sizeof block));
}

Result<void> TarWriter::add(const TarEntry& e, ByteReader* body) {
    if (finished_) return fail("tar: add after finish");
    auto ctx = "tar: write \"" + e.path + "\"";
    if (e.path.empty()) return fail("tar: an entry needs a path");
    if (e.size < 0 || (e.type != '0' && e.size != 0)) return fail(ctx + ": only regular files have a size");
    if (e.type == '0' && e.size > 0 && !body) return fail(ctx + ": a file of non-zero size needs a body");
    std::string path = e.path;
    if (e.type == '5' && !path.ends_with('/')) path += '/';

    std::string recs = pax_records_for(e, path);
    if (!recs.empty()) {
        std::string base = path.substr(path.find_last_of('/', path.size() - 2) + 1);
        TarEntry pax_entry;
        BERTH_TRYV_CTX(write_header(pax_entry, "PaxHeaders/" + base, 'x', static_cast<std::int64_t>(recs.size())), ctx);
        recs.append(tf::padding(recs.size()), '\0');
        BERTH_TRYV_CTX(out_.write(recs), ctx);
    }
    BERTH_TRYV_CTX(write_header(e, path, e.type, e.size), ctx);
    if (e.type != '0') return {};

    std::uint64_t left = static_cast<std::uint64_t>(e.size);
    char buf[1 << 16];
    while (left > 0) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof buf));
        std::size_t n = BERTH_TRY(with_context(body->read(buf, want), ctx));
        if (n == 0) return fail(ctx + ": data ended " + std::to_string(left) + " bytes short of its size");
        BERTH_TRYV_CTX(out_.write(std::string_view(buf, n)), ctx);
        left -= n;
    }
    if (body) {
        char extra;
        std::size_t n = BERTH_TRY(with_context(body->read(&extra, 1), ctx));
        if (n != 0) return fail(ctx + ": data is longer than its size");
    }
    return out_.write(std::string(tf::padding(static_cast<std::uint64_t>(e.size)), '\0'));
}

Result<void> TarWriter::add_file(std::string path, std::string_view data, std::uint32_t mode, timespec mtime) {
    TarEntry e;
    e.path = std::move(path);
    e.type = '0';
    e.mode = mode;
    e.size = static_cast<std::int64_t>(data.size());
    e.mtime = mtime;
    StringReader body(data);
    return add(e, &body);
}

Result<void> TarWriter::finish() {
    if (finished_) return {};
    finished_ = true;
    return out_.write(std::string(2 * tf::kBlock, '\0'));
}

}  // namespace berth::image

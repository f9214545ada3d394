#include "network/dns_message.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace berth::network {
namespace {

// Header flag bits (RFC 1035 section 4.1.1; AD and CD from RFC 4035).
constexpr std::uint16_t kFlagQr = 0x8000;
constexpr std::uint16_t kFlagOpcode = 0x7800;
constexpr std::uint16_t kFlagAa = 0x0400;
constexpr std::uint16_t kFlagTc = 0x0200;
constexpr std::uint16_t kFlagRd = 0x0100;
constexpr std::uint16_t kFlagRa = 0x0080;
constexpr std::uint16_t kFlagCd = 0x0010;

constexpr std::size_t kMaxNameLength = 255;  // wire length, RFC 1035 section 2.3.4
constexpr std::size_t kMaxLabelLength = 63;
// What the server tells EDNS clients it accepts: the size DNS flag day 2020 settled on.
constexpr std::uint16_t kOurEdnsUdpSize = 1232;
constexpr std::uint8_t kPointerBits = 0xC0;
// The question name starts right after the header; answers point there (RFC 1035 4.1.4).
constexpr std::uint16_t kPointerToQuestion = 0xC000 | kDnsHeaderSize;

std::uint16_t read_u16(std::span<const std::uint8_t> p, std::size_t at) {
    return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    put_u16(out, static_cast<std::uint16_t>(v >> 16));
    put_u16(out, static_cast<std::uint16_t>(v));
}

void append_label_text(std::string& text, std::span<const std::uint8_t> label) {
    if (!text.empty()) text += '.';
    for (std::uint8_t c : label) {
        if (c == '.' || c == '\\') {
            text += '\\';
            text += static_cast<char>(c);
        } else if (c < 0x21 || c > 0x7E) {
            text += cat('\\', c / 100, (c / 10) % 10, c % 10);
        } else {
            text += static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
    }
}

struct Name {
    std::vector<std::uint8_t> wire;  // uncompressed, case kept
    std::string text;                // lower case presentation form
};

// Reads the name at `pos`, following compression pointers, and moves `pos` past
// it. Loops are impossible: every pointer must point before the previous one's
// target (or itself, for the first), so the targets strictly decrease.
Result<Name> read_name(std::span<const std::uint8_t> p, std::size_t& pos) {
    Name name;
    std::size_t at = pos;
    std::size_t limit = pos;  // a pointer must point below this
    bool jumped = false;
    for (;;) {
        if (at >= p.size()) return fail("name runs past the end of the message");
        std::uint8_t len = p[at];
        if ((len & kPointerBits) == kPointerBits) {
            if (at + 1 >= p.size())
                return fail("compression pointer runs past the end of the message");
            std::size_t target = read_u16(p, at) & 0x3FFF;
            if (target >= limit)
                return fail("compression pointer does not point backwards (a loop)");
            if (!jumped) pos = at + 2;
            jumped = true;
            limit = target;
            at = target;
            continue;
        }
        if (len & kPointerBits)
            return fail(cat("label length byte ", len, " (over 63, or a reserved type)"));
        if (name.wire.size() + 1 + len > kMaxNameLength) return fail("name longer than 255 bytes");
        name.wire.push_back(len);
        if (len == 0) break;
        if (at + 1 + len > p.size()) return fail("label runs past the end of the message");
        auto label = p.subspan(at + 1, len);
        name.wire.insert(name.wire.end(), label.begin(), label.end());
        append_label_text(name.text, label);
        at += 1 + len;
    }
    if (!jumped) pos = at + 1;
    return name;
}

// Skips a resource record; returns its type and class, or an error when malformed.
struct RecordHead {
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    bool root_owner = false;
};
Result<RecordHead> skip_record(std::span<const std::uint8_t> p, std::size_t& pos) {
    auto owner = BERTH_TRY(read_name(p, pos));
    if (pos + 10 > p.size()) return fail("record header runs past the end of the message");
    RecordHead head{read_u16(p, pos), read_u16(p, pos + 2), owner.wire.size() == 1};
    std::size_t rdlength = read_u16(p, pos + 8);
    pos += 10;
    if (pos + rdlength > p.size()) return fail("record data runs past the end of the message");
    pos += rdlength;
    return head;
}

// Reads the answer, authority and additional sections for what matters in a
// query: the EDNS OPT record (RFC 6891 section 6.1.1: at most one, owned by the root).
Result<std::optional<std::uint16_t>> read_edns(std::span<const std::uint8_t> p, std::size_t pos) {
    std::size_t before_additional = std::size_t{read_u16(p, 6)} + read_u16(p, 8);
    std::size_t total = before_additional + read_u16(p, 10);
    std::optional<std::uint16_t> udp_size;
    for (std::size_t i = 0; i < total; ++i) {
        auto head = BERTH_TRY(
            with_context(skip_record(p, pos), cat("record ", i + 1, " after the question")));
        if (head.type != kDnsTypeOpt) continue;
        if (i < before_additional || !head.root_owner)
            return fail("OPT record outside the additional section or not owned by the root");
        if (udp_size) return fail("more than one OPT record");
        udp_size = head.rclass;
    }
    return udp_size;
}

bool name_fits(std::size_t wire_length, std::string_view label) {
    return !label.empty() && label.size() <= kMaxLabelLength &&
           wire_length + 1 + label.size() + 1 <= kMaxNameLength;
}

}  // namespace

std::size_t DnsQuery::udp_limit() const {
    if (!edns_udp_size) return kDnsClassicUdpSize;
    // Below 512 means 512 (RFC 6891 section 6.2.5); above our own size, ours is enough.
    return std::clamp<std::size_t>(*edns_udp_size, kDnsClassicUdpSize, kOurEdnsUdpSize);
}

Result<DnsQuery> parse_dns_query(std::span<const std::uint8_t> packet) {
    if (packet.size() < kDnsHeaderSize)
        return fail(cat("message of ", packet.size(), " bytes is shorter than a DNS header"));
    DnsQuery q;
    q.id = read_u16(packet, 0);
    q.flags = read_u16(packet, 2);
    if (q.flags & kFlagQr) return fail("message is a response, not a query");
    std::uint16_t questions = read_u16(packet, 4);
    if (questions != 1) return fail(cat("query has ", questions, " questions, not 1"));
    std::size_t pos = kDnsHeaderSize;
    auto name = BERTH_TRY(with_context(read_name(packet, pos), "question name"));
    if (pos + 4 > packet.size())
        return fail("question type and class run past the end of the message");
    q.wire_name = std::move(name.wire);
    q.name = std::move(name.text);
    q.type = read_u16(packet, pos);
    q.qclass = read_u16(packet, pos + 2);
    q.edns_udp_size = BERTH_TRY(read_edns(packet, pos + 4));
    return q;
}

DnsRecord dns_address_record(const IpAddress& address) {
    DnsRecord r{address.v6 ? kDnsTypeAaaa : kDnsTypeA, {}};
    r.rdata.assign(address.bytes.begin(), address.bytes.begin() + (address.v6 ? 16 : 4));
    return r;
}

Result<DnsRecord> dns_ptr_record(std::string_view target) {
    if (target.ends_with('.')) target.remove_suffix(1);
    DnsRecord r{kDnsTypePtr, {}};
    while (!target.empty()) {
        auto dot = target.find('.');
        auto label = target.substr(0, dot);
        if (!name_fits(r.rdata.size(), label))
            return fail(cat("PTR target ", quoted(target), " is not a valid DNS name"));
        r.rdata.push_back(static_cast<std::uint8_t>(label.size()));
        r.rdata.insert(r.rdata.end(), label.begin(), label.end());
        target = dot == std::string_view::npos ? std::string_view() : target.substr(dot + 1);
    }
    r.rdata.push_back(0);
    return r;
}

std::vector<std::uint8_t> build_dns_response(const DnsQuery& query, DnsRcode rcode,
                                             const std::vector<DnsRecord>& answers,
                                             bool authoritative, std::size_t max_size) {
    constexpr std::size_t kOptSize = 11;  // root name, type, class, TTL, empty RDATA
    std::vector<std::uint8_t> out;
    std::size_t fixed =
        kDnsHeaderSize + query.wire_name.size() + 4 + (query.edns_udp_size ? kOptSize : 0);
    std::size_t room = max_size > fixed ? max_size - fixed : 0;
    std::size_t fitting = 0;
    for (const auto& a : answers) {
        std::size_t size = 2 + 10 + a.rdata.size();
        if (size > room) break;
        room -= size;
        ++fitting;
    }
    bool truncated = fitting < answers.size();
    std::uint16_t flags = kFlagQr | (query.flags & (kFlagOpcode | kFlagRd | kFlagCd)) | kFlagRa |
                          (authoritative ? kFlagAa : 0) | (truncated ? kFlagTc : 0) |
                          static_cast<std::uint16_t>(rcode);
    put_u16(out, query.id);
    put_u16(out, flags);
    put_u16(out, 1);
    put_u16(out, static_cast<std::uint16_t>(fitting));
    put_u16(out, 0);
    put_u16(out, query.edns_udp_size ? 1 : 0);
    out.insert(out.end(), query.wire_name.begin(), query.wire_name.end());
    put_u16(out, query.type);
    put_u16(out, query.qclass);
    for (std::size_t i = 0; i < fitting; ++i) {
        put_u16(out, kPointerToQuestion);
        put_u16(out, answers[i].type);
        put_u16(out, kDnsClassIn);
        put_u32(out, kDnsAnswerTtl);
        put_u16(out, static_cast<std::uint16_t>(answers[i].rdata.size()));
        out.insert(out.end(), answers[i].rdata.begin(), answers[i].rdata.end());
    }
    if (query.edns_udp_size) {
        out.push_back(0);  // the root
        put_u16(out, kDnsTypeOpt);
        put_u16(out, kOurEdnsUdpSize);
        put_u32(out, 0);  // extended rcode 0, version 0, no DO bit
        put_u16(out, 0);
    }
    return out;
}

std::vector<std::uint8_t> build_dns_format_error(std::span<const std::uint8_t> packet) {
    if (packet.size() < kDnsHeaderSize || is_dns_response(packet)) return {};
    std::vector<std::uint8_t> out;
    put_u16(out, read_u16(packet, 0));
    put_u16(out, static_cast<std::uint16_t>(
                     kFlagQr | (read_u16(packet, 2) & (kFlagOpcode | kFlagRd)) | kFlagRa |
                     static_cast<std::uint16_t>(DnsRcode::format_error)));
    out.resize(kDnsHeaderSize, 0);
    return out;
}

std::optional<std::uint16_t> dns_id(std::span<const std::uint8_t> message) {
    if (message.size() < kDnsHeaderSize) return std::nullopt;
    return read_u16(message, 0);
}

void set_dns_id(std::span<std::uint8_t> message, std::uint16_t id) {
    if (message.size() < 2) return;
    message[0] = static_cast<std::uint8_t>(id >> 8);
    message[1] = static_cast<std::uint8_t>(id);
}

bool is_dns_response(std::span<const std::uint8_t> message) {
    return message.size() >= kDnsHeaderSize && (message[2] & 0x80);
}

}  // namespace berth::network

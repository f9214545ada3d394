// DNS messages for the tests, written and read by hand from RFC 1035 section 4
// (not with the codec under test), so the tests check berth against the format.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace berth::test {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypePtr = 12;
constexpr std::uint16_t kTypeAaaa = 28;

inline void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

inline std::uint16_t get16(const Bytes& b, std::size_t at) {
    return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

// "web.mynet" as length-prefixed labels ending in the root.
inline Bytes wire_name(std::string_view name) {
    Bytes b;
    while (!name.empty()) {
        auto dot = name.find('.');
        auto label = name.substr(0, dot);
        b.push_back(static_cast<std::uint8_t>(label.size()));
        b.insert(b.end(), label.begin(), label.end());
        name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    }
    b.push_back(0);
    return b;
}

// A standard query with RD set; with an OPT record when `edns_size` is given.
inline Bytes dns_query(std::uint16_t id, std::string_view name, std::uint16_t type,
                       std::optional<std::uint16_t> edns_size = std::nullopt) {
    Bytes b;
    put16(b, id);
    put16(b, 0x0100);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    put16(b, edns_size ? 1 : 0);
    auto n = wire_name(name);
    b.insert(b.end(), n.begin(), n.end());
    put16(b, type);
    put16(b, 1);
    if (edns_size) {
        b.push_back(0);
        put16(b, 41);
        put16(b, *edns_size);
        put16(b, 0);
        put16(b, 0);
        put16(b, 0);
    }
    return b;
}

struct ResourceRecord {
    std::uint16_t type = 0;
    std::uint16_t rclass = 0;
    std::uint32_t ttl = 0;
    Bytes rdata;
};

struct Response {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    Bytes question;  // the question section's bytes
    std::vector<ResourceRecord> answers;
    std::vector<ResourceRecord> additional;

    int rcode() const { return flags & 0xF; }
    bool qr() const { return flags & 0x8000; }
    bool aa() const { return flags & 0x0400; }
    bool tc() const { return flags & 0x0200; }
    bool rd() const { return flags & 0x0100; }
    bool ra() const { return flags & 0x0080; }
};

// Moves past a (possibly compressed) name.
inline std::size_t skip_name(const Bytes& b, std::size_t at) {
    for (;;) {
        std::uint8_t len = b.at(at);
        if ((len & 0xC0) == 0xC0) return at + 2;
        if (len == 0) return at + 1;
        at += 1 + len;
    }
}

// Reads a response (no authority records expected); nullopt when malformed.
inline std::optional<Response> read_response(const Bytes& b) {
    if (b.size() < 12) return std::nullopt;
    Response r;
    r.id = get16(b, 0);
    r.flags = get16(b, 2);
    std::size_t at = 12;
    try {
        for (int i = 0; i < get16(b, 4); ++i) {
            std::size_t end = skip_name(b, at) + 4;
            if (end > b.size()) return std::nullopt;
            r.question.insert(r.question.end(), b.begin() + static_cast<long>(at),
                              b.begin() + static_cast<long>(end));
            at = end;
        }
        auto read_rrs = [&](int count, std::vector<ResourceRecord>& into) {
            for (int i = 0; i < count; ++i) {
                at = skip_name(b, at);
                ResourceRecord rr;
                rr.type = get16(b, at);
                rr.rclass = get16(b, at + 2);
                rr.ttl = std::uint32_t{get16(b, at + 4)} << 16 | get16(b, at + 6);
                std::size_t len = get16(b, at + 8);
                at += 10;
                if (at + len > b.size()) throw std::out_of_range("rdata");
                rr.rdata.assign(b.begin() + static_cast<long>(at),
                                b.begin() + static_cast<long>(at + len));
                at += len;
                into.push_back(rr);
            }
        };
        std::vector<ResourceRecord> authority;
        read_rrs(get16(b, 6), r.answers);
        read_rrs(get16(b, 8), authority);
        read_rrs(get16(b, 10), r.additional);
    } catch (const std::out_of_range&) {
        return std::nullopt;
    }
    if (at != b.size()) return std::nullopt;
    return r;
}

// The question section of a query made by dns_query.
inline Bytes question_of(const Bytes& query) {
    return Bytes(query.begin() + 12,
                 query.begin() + 12 + static_cast<long>(skip_name(query, 12) - 12 + 4));
}

}  // namespace berth::test

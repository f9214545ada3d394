// The DNS wire format (RFC 1035 section 4) as far as the embedded DNS server
// needs it: reading a query (one question, compressed names, an EDNS OPT record
// in the additional section) and writing the responses the server gives itself
// (A, AAAA and PTR answers, NXDOMAIN, SERVFAIL, FORMERR). Forwarded queries are
// passed on as bytes; only their ID is touched (dns_id, set_dns_id).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "network/ip_address.hpp"

namespace berth::network {

inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsTypePtr = 12;
inline constexpr std::uint16_t kDnsTypeAaaa = 28;
inline constexpr std::uint16_t kDnsTypeOpt = 41;
inline constexpr std::uint16_t kDnsClassIn = 1;
inline constexpr std::size_t kDnsHeaderSize = 12;
// The UDP limit of a client without EDNS (RFC 1035 section 4.2.1).
inline constexpr std::size_t kDnsClassicUdpSize = 512;
inline constexpr std::uint32_t kDnsAnswerTtl = 600;

enum class DnsRcode : std::uint8_t {
    no_error = 0,
    format_error = 1,
    server_failure = 2,
    name_error = 3,  // NXDOMAIN
    not_implemented = 4,
};

struct DnsQuery {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;  // the header's second word as received (opcode, RD, CD)
    // The question name in presentation form, lower case, without the trailing dot
    // ("web.mynet"; "" for the root). Bytes that are not printable, and dots or
    // backslashes inside a label, are escaped as in a zone file (\046, \.).
    std::string name;
    // The question name as asked, uncompressed and in its original case: copied
    // into the response, since resolvers may check the case they sent (0x20 bits).
    std::vector<std::uint8_t> wire_name;
    std::uint16_t type = 0;
    std::uint16_t qclass = 0;
    // The UDP payload size of the query's OPT record; none without EDNS.
    std::optional<std::uint16_t> edns_udp_size;

    std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0xF); }
    // The largest UDP response this client takes.
    std::size_t udp_limit() const;
};

// Reads a query; an error says what is malformed (truncated header, more than one
// question, a compression pointer that loops, a label or name too long...).
Result<DnsQuery> parse_dns_query(std::span<const std::uint8_t> packet);

// One answer record; its owner name is the question's.
struct DnsRecord {
    std::uint16_t type = 0;
    std::vector<std::uint8_t> rdata;
};
// An A record for an IPv4 address, AAAA for an IPv6 one.
DnsRecord dns_address_record(const IpAddress& address);
// A PTR record naming `target` ("web.mynet", trailing dot optional).
Result<DnsRecord> dns_ptr_record(std::string_view target);

// A response to `query`: its ID, opcode, RD and CD, RA set (the server recurses
// by forwarding), AA when `authoritative` (names the daemon itself knows), the
// question copied, `answers` with TTL 600, and an OPT record when the query had
// one. Answers that would make the message longer than `max_size` are left out
// and TC set, so the client retries over TCP.
std::vector<std::uint8_t> build_dns_response(const DnsQuery& query, DnsRcode rcode,
                                             const std::vector<DnsRecord>& answers,
                                             bool authoritative, std::size_t max_size);

// FORMERR for a packet that parse_dns_query refused: the header's ID, opcode and
// RD copied, no question. Empty (send nothing) when the packet is too short to
// have a header or is itself a response: answering those could start a loop.
std::vector<std::uint8_t> build_dns_format_error(std::span<const std::uint8_t> packet);

// The ID of a message (its first two bytes); none when shorter than a header.
std::optional<std::uint16_t> dns_id(std::span<const std::uint8_t> message);
void set_dns_id(std::span<std::uint8_t> message, std::uint16_t id);
// Whether a message at least as long as a header has the QR (response) bit.
bool is_dns_response(std::span<const std::uint8_t> message);

}  // namespace berth::network

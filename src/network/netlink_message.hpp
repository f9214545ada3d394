// rtnetlink messages as bytes: building a request (header, fixed struct,
// attributes, nests) and walking the attributes of an answer. Internal to
// netlink.cpp; no socket here.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "network/ip_address.hpp"

namespace berth::network::netlink_message {

// A request under construction. Everything is padded to NLMSG_ALIGNTO (4),
// which is also RTA_ALIGNTO, so attributes follow headers without gaps to track.
class Message {
  public:
    // NLM_F_REQUEST is implied; `flags` adds NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP...
    Message(std::uint16_t type, std::uint16_t flags);

    // A family's fixed header (ifinfomsg, ifaddrmsg, rtmsg).
    template <typename Fixed>
    void put(const Fixed& fixed) {
        append(&fixed, sizeof fixed);
    }
    void attr(std::uint16_t type, const void* data, std::size_t len);
    void attr_string(std::uint16_t type, const std::string& s) {
        attr(type, s.c_str(), s.size() + 1);
    }
    void attr_u32(std::uint16_t type, std::uint32_t v) { attr(type, &v, sizeof v); }
    void attr_u8(std::uint16_t type, std::uint8_t v) { attr(type, &v, sizeof v); }
    void attr_address(std::uint16_t type, const IpAddress& a) {
        attr(type, a.bytes.data(), a.size());
    }

    // Opens a nested attribute; end_nested(its offset) sets its length once
    // its contents are in.
    std::size_t begin_nested(std::uint16_t type);
    void end_nested(std::size_t at);

    // The bytes to send, with the total length and the sequence number filled in.
    std::string_view finish(std::uint32_t seq);

  private:
    void append(const void* data, std::size_t len);
    template <typename T>
    void patch(std::size_t at, T value) {
        std::memcpy(buf_.data() + at, &value, sizeof value);
    }
    std::string buf_;
};

// Answers are read with memcpy into properly aligned structs: the receive
// buffer promises no alignment to the compiler. A short input leaves the rest zero.
template <typename T>
T read_struct(std::string_view bytes) {
    T t{};
    std::memcpy(&t, bytes.data(), std::min(sizeof t, bytes.size()));
    return t;
}

// What follows a fixed header of `len` bytes (the attributes of a message).
inline std::string_view after(std::string_view bytes, std::size_t len) {
    return bytes.substr(std::min<std::size_t>(NLMSG_ALIGN(len), bytes.size()));
}

struct Attr {
    std::uint16_t type = 0;  // NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off
    std::string_view data;
};

// Calls f(Attr) for each attribute in `bytes`; stops at a malformed one.
template <typename F>
void for_each_attr(std::string_view bytes, F&& f) {
    while (bytes.size() >= sizeof(rtattr)) {
        auto a = read_struct<rtattr>(bytes);
        if (a.rta_len < sizeof a || a.rta_len > bytes.size()) return;
        f(Attr{static_cast<std::uint16_t>(a.rta_type & NLA_TYPE_MASK),
               bytes.substr(RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0))});
        bytes.remove_prefix(std::min<std::size_t>(RTA_ALIGN(a.rta_len), bytes.size()));
    }
}

// A string attribute without its terminating NUL.
std::string string_of(std::string_view data);
// A u32 attribute (0 when too short).
std::uint32_t u32_of(std::string_view data);
// An IPv4 (4 bytes) or IPv6 (16 bytes) address attribute.
std::optional<IpAddress> address_of(std::string_view data);

}  // namespace berth::network::netlink_message

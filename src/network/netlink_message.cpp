#include "network/netlink_message.hpp"

namespace berth::network::netlink_message {

Message::Message(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    append(&h, sizeof h);
}

void Message::attr(std::uint16_t type, const void* data, std::size_t len) {
    rtattr a{};
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    a.rta_type = type;
    append(&a, sizeof a);
    append(data, len);
}

std::size_t Message::begin_nested(std::uint16_t type) {
    std::size_t at = buf_.size();
    attr(static_cast<std::uint16_t>(type | NLA_F_NESTED), nullptr, 0);
    return at;
}

void Message::end_nested(std::size_t at) {
    patch(at + offsetof(rtattr, rta_len), static_cast<unsigned short>(buf_.size() - at));
}

std::string_view Message::finish(std::uint32_t seq) {
    patch(offsetof(nlmsghdr, nlmsg_len), static_cast<std::uint32_t>(buf_.size()));
    patch(offsetof(nlmsghdr, nlmsg_seq), seq);
    return buf_;
}

void Message::append(const void* data, std::size_t len) {
    if (len > 0) buf_.append(static_cast<const char*>(data), len);
    buf_.resize(NLMSG_ALIGN(buf_.size()), '\0');
}

std::string string_of(std::string_view data) {
    while (!data.empty() && data.back() == '\0') data.remove_suffix(1);
    return std::string(data);
}

std::uint32_t u32_of(std::string_view data) {
    return data.size() >= sizeof(std::uint32_t) ? read_struct<std::uint32_t>(data) : 0;
}

std::optional<IpAddress> address_of(std::string_view data) {
    if (data.size() != 4 && data.size() != 16) return std::nullopt;
    IpAddress a;
    a.v6 = data.size() == 16;
    std::memcpy(a.bytes.data(), data.data(), data.size());
    return a;
}

}  // namespace berth::network::netlink_message

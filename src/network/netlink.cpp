#include "network/netlink.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/text.hpp"
#include "network/netlink_message.hpp"
#include "network/netns.hpp"

namespace berth::network {
namespace {

using netlink_message::address_of;
using netlink_message::after;
using netlink_message::Attr;
using netlink_message::for_each_attr;
using netlink_message::Message;
using netlink_message::read_struct;
using netlink_message::string_of;
using netlink_message::u32_of;

// Kernel dump messages grow to the reader's buffer size, capped at 32 KiB
// (netlink_recvmsg's max_recvmsg_len); twice that never truncates.
constexpr std::size_t kReceiveBuffer = 64 * 1024;

// IFNAMSIZ counts the terminating NUL.
constexpr std::size_t kMaxLinkName = IFNAMSIZ - 1;

// The kernel's own rule (dev_valid_name), checked here so the error names the
// text instead of an EINVAL from somewhere inside a request.
Result<void> check_link_name(const std::string& name) {
    auto invalid = [&](std::string_view why) {
        return fail_as(ErrorKind::invalid_argument,
                       cat("invalid link name ", quoted(name), ": ", why));
    };
    if (name.empty()) return invalid("empty");
    if (name.size() > kMaxLinkName) return invalid(cat("longer than ", kMaxLinkName, " bytes"));
    if (name == "." || name == "..") return invalid("reserved");
    if (name.find_first_of("/: \t\n\r\v\f") != std::string::npos)
        return invalid("contains '/', ':' or white space");
    return {};
}

Result<void> check_mtu(int mtu, bool zero_allowed) {
    if (mtu < 0 || (mtu == 0 && !zero_allowed))
        return fail_as(ErrorKind::invalid_argument, cat("invalid MTU ", mtu));
    return {};
}

ErrorKind kind_of_errno(int err) {
    switch (err) {
        case ENODEV:
            return ErrorKind::not_found;
        case EEXIST:
        case EBUSY:
            return ErrorKind::conflict;
        case EINVAL:
        case ERANGE:
            return ErrorKind::invalid_argument;
        default:
            return ErrorKind::internal;
    }
}

// "what: strerror (the kernel's extended ack message, when it gave one)".
std::unexpected<Error> kernel_error(std::string_view what, int err, std::string_view detail = {}) {
    auto e = sys_fail(what, err);
    if (!detail.empty()) e.error().message += cat(" (", detail, ")");
    e.error().kind = kind_of_errno(err);
    return e;
}

std::unexpected<Error> no_such_link(std::string_view what, const std::string& name) {
    auto e = fail_as(ErrorKind::not_found, cat(what, ": no link named ", quoted(name)));
    e.error().sys_errno = ENODEV;
    return e;
}

LinkInfo link_info_of(std::string_view payload) {
    auto ifi = read_struct<ifinfomsg>(payload);
    LinkInfo link;
    link.index = ifi.ifi_index;
    link.up = (ifi.ifi_flags & IFF_UP) != 0;
    for_each_attr(after(payload, sizeof ifi), [&](const Attr& a) {
        switch (a.type) {
            case IFLA_IFNAME:
                link.name = string_of(a.data);
                break;
            case IFLA_MTU:
                link.mtu = static_cast<int>(u32_of(a.data));
                break;
            case IFLA_MASTER:
                link.master = static_cast<int>(u32_of(a.data));
                break;
            case IFLA_LINKINFO:
                for_each_attr(a.data, [&](const Attr& info) {
                    if (info.type == IFLA_INFO_KIND) link.kind = string_of(info.data);
                });
                break;
        }
    });
    return link;
}

struct AddressEntry {
    int index = 0;
    IpPrefix prefix;
};

std::optional<AddressEntry> address_entry_of(std::string_view payload) {
    auto ifa = read_struct<ifaddrmsg>(payload);
    std::optional<IpAddress> local, address;
    for_each_attr(after(payload, sizeof ifa), [&](const Attr& a) {
        if (a.type == IFA_LOCAL) local = address_of(a.data);
        if (a.type == IFA_ADDRESS) address = address_of(a.data);
    });
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on a
    // point-to-point link, and the only one IPv6 sends.
    auto own = local ? local : address;
    if (!own) return std::nullopt;
    return AddressEntry{static_cast<int>(ifa.ifa_index), IpPrefix{*own, ifa.ifa_prefixlen}};
}

// The destination of a route of the main table other than a default route.
std::optional<IpPrefix> main_route_destination(std::string_view payload) {
    auto rtm = read_struct<rtmsg>(payload);
    if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6) return std::nullopt;
    std::uint32_t table = rtm.rtm_table;
    std::optional<IpAddress> dst;
    for_each_attr(after(payload, sizeof rtm), [&](const Attr& a) {
        if (a.type == RTA_TABLE) table = u32_of(a.data);  // tables past 255 only say it here
        if (a.type == RTA_DST) dst = address_of(a.data);
    });
    if (table != RT_TABLE_MAIN || rtm.rtm_dst_len == 0 || !dst) return std::nullopt;
    return IpPrefix{*dst, rtm.rtm_dst_len}.network();
}

ifinfomsg link_header(int index = 0) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    return ifi;
}

// Extended acks (the kernel's reason in words) and errors without the echoed
// request. Both exist since Linux 4.12; a kernel without them still answers,
// just less helpfully, so their absence is not an error.
void ask_for_short_acks(int fd) {
    int on = 1;
    (void)::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    (void)::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
}

}  // namespace

// The request/answer exchange, a friend of Netlink for its socket and sequence.
struct NetlinkRequest {
    struct Answer {
        std::vector<std::string> messages;  // payloads of the data messages
        bool interrupted = false;           // a dump that raced a change (NLM_F_DUMP_INTR)
    };

    // Sends `m` and reads up to its ack (or a dump's NLMSG_DONE). An error ack
    // becomes "what: strerror".
    static Result<Answer> exchange(Netlink& nl, Message& m, std::string_view what) {
        std::uint32_t seq = ++nl.seq_;
        BERTH_TRYV(send(nl.fd_.get(), m.finish(seq), what));
        auto buf = std::make_unique_for_overwrite<char[]>(kReceiveBuffer);
        Answer answer;
        for (;;) {
            ssize_t n = ::recv(nl.fd_.get(), buf.get(), kReceiveBuffer, MSG_TRUNC);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return sys_fail(cat(what, ": receive netlink answer"));
            if (static_cast<std::size_t>(n) > kReceiveBuffer)
                return fail(cat(what, ": netlink answer truncated"));
            std::string_view rest(buf.get(), static_cast<std::size_t>(n));
            while (rest.size() >= sizeof(nlmsghdr)) {
                auto h = read_struct<nlmsghdr>(rest);
                if (h.nlmsg_len < sizeof h || h.nlmsg_len > rest.size())
                    return fail(cat(what, ": malformed netlink answer"));
                std::string_view payload = rest.substr(NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
                rest.remove_prefix(std::min<std::size_t>(NLMSG_ALIGN(h.nlmsg_len), rest.size()));
                // Answers to an earlier request abandoned halfway (its caller saw an error).
                if (h.nlmsg_seq != seq || h.nlmsg_type == NLMSG_NOOP) continue;
                if (h.nlmsg_type == NLMSG_ERROR) {
                    BERTH_TRYV(check_ack(h, payload, what));
                    return answer;
                }
                if (h.nlmsg_type == NLMSG_DONE) {
                    // A dump that failed midway says so here, as a negative errno.
                    int err = payload.size() >= sizeof(int) ? read_struct<int>(payload) : 0;
                    if (err < 0) return kernel_error(what, -err);
                    return answer;
                }
                if (h.nlmsg_flags & NLM_F_DUMP_INTR) answer.interrupted = true;
                answer.messages.emplace_back(payload);
            }
        }
    }

    // A dump of everything of one type; run again when it raced a change, as a
    // torn dump could miss a link or route.
    template <typename Fixed>
    static Result<std::vector<std::string>> dump(Netlink& nl, std::uint16_t type,
                                                 const Fixed& header, std::string_view what) {
        for (int attempt = 0;; ++attempt) {
            Message m(type, NLM_F_DUMP);
            m.put(header);
            if (type == RTM_GETLINK) m.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
            auto answer = BERTH_TRY(exchange(nl, m, what));
            if (!answer.interrupted || attempt == 4) return std::move(answer.messages);
        }
    }

    static Result<std::optional<LinkInfo>> link(Netlink& nl, const std::string& name) {
        BERTH_TRYV(check_link_name(name));
        Message m(RTM_GETLINK, NLM_F_ACK);
        m.put(link_header());
        m.attr_string(IFLA_IFNAME, name);
        m.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);  // the counters are most of the answer
        auto answer = exchange(nl, m, cat("looking up link ", quoted(name)));
        if (!answer && answer.error().sys_errno == ENODEV) return std::nullopt;
        if (!answer) return std::unexpected(std::move(answer.error()));
        if (answer->messages.empty())
            return fail(cat("looking up link ", quoted(name), ": no answer"));
        return link_info_of(answer->messages.front());
    }

    // The index of link `name`, for requests that take no name (addresses,
    // routes, a master); a missing link is "what: no link named ...".
    static Result<int> index_of(Netlink& nl, const std::string& name, std::string_view what) {
        auto found = BERTH_TRY(with_context(link(nl, name), what));
        if (!found) return no_such_link(what, name);
        return found->index;
    }

    // A change to an existing link found by name: without NLM_F_CREATE the kernel
    // never makes one, and a missing name is ENODEV.
    template <typename Fill>
    static Result<void> change_link(Netlink& nl, std::uint16_t type, const std::string& name,
                                    std::string_view what, Fill&& fill) {
        BERTH_TRYV(check_link_name(name));
        Message m(type, NLM_F_ACK);
        ifinfomsg ifi = link_header();
        fill(ifi, m);  // sets what it changes in the header, puts it, adds attributes
        BERTH_TRYV(exchange(nl, m, what));
        return {};
    }

  private:
    static Result<void> send(int fd, std::string_view bytes, std::string_view what) {
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        for (;;) {
            ssize_t n = ::sendto(fd, bytes.data(), bytes.size(), 0,
                                 reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
            if (n >= 0) return {};
            if (errno != EINTR) return sys_fail(cat(what, ": send netlink request"));
        }
    }

    static Result<void> check_ack(const nlmsghdr& h, std::string_view payload,
                                  std::string_view what) {
        auto err = read_struct<nlmsgerr>(payload);
        if (err.error == 0) return {};
        std::string detail;
        if (h.nlmsg_flags & NLM_F_ACK_TLVS) {
            // The extended ack follows the echoed request, or only its header when capped.
            std::size_t echoed =
                (h.nlmsg_flags & NLM_F_CAPPED) ? 0 : err.msg.nlmsg_len - NLMSG_HDRLEN;
            for_each_attr(after(payload, sizeof err + NLMSG_ALIGN(echoed)), [&](const Attr& a) {
                if (a.type == NLMSGERR_ATTR_MSG) detail = string_of(a.data);
            });
        }
        return kernel_error(what, -err.error, detail);
    }
};

Result<Netlink> Netlink::open() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) return sys_fail("open rtnetlink socket");
    ask_for_short_acks(fd.get());
    return Netlink(std::move(fd));
}

Result<Netlink> Netlink::open_in(int netns_fd) {
    auto fd = BERTH_TRY(with_context(socket_in_netns(netns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE),
                                     "open rtnetlink socket"));
    ask_for_short_acks(fd.get());
    return Netlink(std::move(fd));
}

Result<void> Netlink::create_bridge(const std::string& name, int mtu) {
    BERTH_TRYV(check_link_name(name));
    BERTH_TRYV(check_mtu(mtu, true));
    std::string what = cat("creating bridge ", quoted(name));
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    m.put(link_header());
    m.attr_string(IFLA_IFNAME, name);
    if (mtu > 0) m.attr_u32(IFLA_MTU, static_cast<std::uint32_t>(mtu));
    auto info = m.begin_nested(IFLA_LINKINFO);
    m.attr_string(IFLA_INFO_KIND, "bridge");
    m.end_nested(info);
    auto created = NetlinkRequest::exchange(*this, m, what);
    if (created) return {};
    if (created.error().sys_errno != EEXIST) return std::unexpected(std::move(created.error()));
    auto existing = BERTH_TRY(with_context(link(name), what));
    if (existing && existing->kind == "bridge") return {};
    // Something else by that name (or gone again): either way not our bridge.
    if (existing)
        created.error().message +=
            cat(" (a ", existing->kind.empty() ? "non-bridge" : existing->kind, " link)");
    return std::unexpected(std::move(created.error()));
}

Result<void> Netlink::create_veth(const std::string& host_name, const std::string& peer_name,
                                  int peer_netns_fd, int mtu) {
    BERTH_TRYV(check_link_name(host_name));
    BERTH_TRYV(check_link_name(peer_name));
    BERTH_TRYV(check_mtu(mtu, true));
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    m.put(link_header());
    m.attr_string(IFLA_IFNAME, host_name);
    if (mtu > 0) m.attr_u32(IFLA_MTU, static_cast<std::uint32_t>(mtu));
    auto info = m.begin_nested(IFLA_LINKINFO);
    m.attr_string(IFLA_INFO_KIND, "veth");
    auto data = m.begin_nested(IFLA_INFO_DATA);
    // The peer is described like a link of its own: a header, then attributes.
    auto peer = m.begin_nested(VETH_INFO_PEER);
    m.put(link_header());
    m.attr_string(IFLA_IFNAME, peer_name);
    if (mtu > 0) m.attr_u32(IFLA_MTU, static_cast<std::uint32_t>(mtu));
    if (peer_netns_fd >= 0) m.attr_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(peer_netns_fd));
    m.end_nested(peer);
    m.end_nested(data);
    m.end_nested(info);
    std::string what = cat("creating veth pair ", quoted(host_name), " and ", quoted(peer_name));
    BERTH_TRYV(NetlinkRequest::exchange(*this, m, what));
    return {};
}

Result<bool> Netlink::delete_link(const std::string& name) {
    auto deleted =
        NetlinkRequest::change_link(*this, RTM_DELLINK, name, cat("deleting link ", quoted(name)),
                                    [&](ifinfomsg& ifi, Message& m) {
                                        m.put(ifi);
                                        m.attr_string(IFLA_IFNAME, name);
                                    });
    if (!deleted && deleted.error().sys_errno == ENODEV) return false;
    if (!deleted) return std::unexpected(std::move(deleted.error()));
    return true;
}

Result<std::optional<LinkInfo>> Netlink::link(const std::string& name) {
    return NetlinkRequest::link(*this, name);
}

Result<std::vector<LinkInfo>> Netlink::links() {
    auto messages =
        BERTH_TRY(NetlinkRequest::dump(*this, RTM_GETLINK, link_header(), "listing links"));
    std::vector<LinkInfo> out;
    out.reserve(messages.size());
    for (const auto& payload : messages) out.push_back(link_info_of(payload));
    return out;
}

Result<void> Netlink::set_up(const std::string& name) {
    return NetlinkRequest::change_link(*this, RTM_SETLINK, name,
                                       cat("setting link ", quoted(name), " up"),
                                       [&](ifinfomsg& ifi, Message& m) {
                                           ifi.ifi_flags = IFF_UP;
                                           ifi.ifi_change = IFF_UP;
                                           m.put(ifi);
                                           m.attr_string(IFLA_IFNAME, name);
                                       });
}

Result<void> Netlink::set_master(const std::string& name, const std::string& bridge) {
    std::string what = cat("attaching ", quoted(name), " to bridge ", quoted(bridge));
    BERTH_TRYV(check_link_name(name));
    int bridge_index = BERTH_TRY(NetlinkRequest::index_of(*this, bridge, what));
    return NetlinkRequest::change_link(
        *this, RTM_SETLINK, name, what, [&](ifinfomsg& ifi, Message& m) {
            m.put(ifi);
            m.attr_string(IFLA_IFNAME, name);
            m.attr_u32(IFLA_MASTER, static_cast<std::uint32_t>(bridge_index));
        });
}

Result<void> Netlink::set_mtu(const std::string& name, int mtu) {
    BERTH_TRYV(check_mtu(mtu, false));
    return NetlinkRequest::change_link(*this, RTM_SETLINK, name,
                                       cat("setting MTU ", mtu, " on ", quoted(name)),
                                       [&](ifinfomsg& ifi, Message& m) {
                                           m.put(ifi);
                                           m.attr_string(IFLA_IFNAME, name);
                                           m.attr_u32(IFLA_MTU, static_cast<std::uint32_t>(mtu));
                                       });
}

Result<void> Netlink::set_mac(const std::string& name, const MacAddress& mac) {
    std::string what = cat("setting MAC address ", mac.str(), " on ", quoted(name));
    return NetlinkRequest::change_link(*this, RTM_SETLINK, name, what,
                                       [&](ifinfomsg& ifi, Message& m) {
                                           m.put(ifi);
                                           m.attr_string(IFLA_IFNAME, name);
                                           m.attr(IFLA_ADDRESS, mac.bytes.data(), mac.bytes.size());
                                       });
}

Result<void> Netlink::rename(const std::string& name, const std::string& new_name) {
    std::string what = cat("renaming link ", quoted(name), " to ", quoted(new_name));
    BERTH_TRYV(check_link_name(new_name));
    // IFLA_IFNAME is the new name here, so the link is found by its index.
    int index = BERTH_TRY(NetlinkRequest::index_of(*this, name, what));
    return NetlinkRequest::change_link(*this, RTM_SETLINK, new_name, what,
                                       [&](ifinfomsg& ifi, Message& m) {
                                           ifi.ifi_index = index;
                                           m.put(ifi);
                                           m.attr_string(IFLA_IFNAME, new_name);
                                       });
}

Result<void> Netlink::set_hairpin(const std::string& name, bool on) {
    // As `ip link set NAME type bridge_slave hairpin on`: the bridge's port
    // options as slave data of an RTM_NEWLINK, which (unlike AF_BRIDGE's
    // RTM_SETLINK) finds the port by name, so this is one request.
    std::string what = cat("setting hairpin mode of ", quoted(name), " to ", on ? "on" : "off");
    return NetlinkRequest::change_link(*this, RTM_NEWLINK, name, what,
                                       [&](ifinfomsg& ifi, Message& m) {
                                           m.put(ifi);
                                           m.attr_string(IFLA_IFNAME, name);
                                           auto info = m.begin_nested(IFLA_LINKINFO);
                                           m.attr_string(IFLA_INFO_SLAVE_KIND, "bridge");
                                           auto port = m.begin_nested(IFLA_INFO_SLAVE_DATA);
                                           m.attr_u8(IFLA_BRPORT_MODE, on ? 1 : 0);
                                           m.end_nested(port);
                                           m.end_nested(info);
                                       });
}

Result<void> Netlink::add_address(const std::string& name, const IpPrefix& addr) {
    std::string what = cat("adding address ", addr.str(), " to ", quoted(name));
    int index = BERTH_TRY(NetlinkRequest::index_of(*this, name, what));
    Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<std::uint8_t>(addr.addr.v6 ? AF_INET6 : AF_INET);
    ifa.ifa_prefixlen = static_cast<std::uint8_t>(addr.len);
    // No duplicate address detection: the addresses are handed out by IPAM, and
    // DAD would leave an IPv6 address unusable ("tentative") for a second or more.
    if (addr.addr.v6) ifa.ifa_flags = IFA_F_NODAD;
    ifa.ifa_scope = addr.addr.is_loopback() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    ifa.ifa_index = static_cast<std::uint32_t>(index);
    m.put(ifa);
    m.attr_address(IFA_LOCAL, addr.addr);
    m.attr_address(IFA_ADDRESS, addr.addr);
    // /31 and /32 have no broadcast address (RFC 3021).
    if (!addr.addr.v6 && addr.len < 31) m.attr_address(IFA_BROADCAST, addr.last());
    auto added = NetlinkRequest::exchange(*this, m, what);
    if (!added && added.error().sys_errno != EEXIST)
        return std::unexpected(std::move(added.error()));
    return {};
}

Result<std::vector<IpPrefix>> Netlink::addresses(const std::string& name) {
    std::string what = cat("listing addresses of ", quoted(name));
    int index = BERTH_TRY(NetlinkRequest::index_of(*this, name, what));
    auto messages = BERTH_TRY(NetlinkRequest::dump(*this, RTM_GETADDR, ifaddrmsg{}, what));
    std::vector<IpPrefix> out;
    for (const auto& payload : messages) {
        auto entry = address_entry_of(payload);
        if (entry && entry->index == index) out.push_back(entry->prefix);
    }
    return out;
}

Result<std::vector<IpPrefix>> Netlink::routed_prefixes() {
    std::vector<IpPrefix> out;
    auto addresses =
        BERTH_TRY(NetlinkRequest::dump(*this, RTM_GETADDR, ifaddrmsg{}, "listing addresses"));
    for (const auto& payload : addresses)
        if (auto entry = address_entry_of(payload)) out.push_back(entry->prefix.network());
    auto routes = BERTH_TRY(NetlinkRequest::dump(*this, RTM_GETROUTE, rtmsg{}, "listing routes"));
    for (const auto& payload : routes)
        if (auto dst = main_route_destination(payload)) out.push_back(*dst);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<void> Netlink::add_default_route(const IpAddress& gateway) {
    Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(gateway.v6 ? AF_INET6 : AF_INET);
    rtm.rtm_table = RT_TABLE_MAIN;
    rtm.rtm_protocol = RTPROT_BOOT;
    rtm.rtm_scope = RT_SCOPE_UNIVERSE;
    rtm.rtm_type = RTN_UNICAST;
    m.put(rtm);
    m.attr_address(RTA_GATEWAY, gateway);
    BERTH_TRYV(NetlinkRequest::exchange(*this, m, cat("adding default route via ", gateway.str())));
    return {};
}

}  // namespace berth::network

#include "network/port_reservation.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::network {

namespace {

struct SocketKind {
    int type;
    int protocol;
};

std::optional<SocketKind> socket_kind(const std::string& proto) {
    if (proto == "tcp") return SocketKind{SOCK_STREAM, IPPROTO_TCP};
    if (proto == "udp") return SocketKind{SOCK_DGRAM, IPPROTO_UDP};
    // One-to-one style: bind and listen like TCP.
    if (proto == "sctp") return SocketKind{SOCK_STREAM, IPPROTO_SCTP};
    return std::nullopt;
}

// "0.0.0.0:8080" or "[::]:8080", as Docker writes them.
std::string endpoint_text(const IpAddress& a, std::uint16_t port) {
    return a.v6 ? cat('[', a.str(), "]:", port) : cat(a.str(), ':', port);
}

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t len = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress socket_address(const IpAddress& a, std::uint16_t port) {
    SocketAddress s;
    if (a.v6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        std::memcpy(&in6->sin6_addr, a.bytes.data(), 16);
        s.len = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&s.storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        std::memcpy(&in4->sin_addr, a.bytes.data(), 4);
        s.len = sizeof(sockaddr_in);
    }
    return s;
}

Result<std::uint16_t> bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return sys_fail("getsockname");
    if (ss.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
}

std::unexpected<Error> port_in_use(const std::string& proto, const IpAddress& a,
                                   std::uint16_t port) {
    std::string holder = port_holder(proto, port);
    std::string message =
        cat("Bind for ", endpoint_text(a, port), " failed: port is already allocated");
    if (!holder.empty()) message += cat(" (held by ", holder, ')');
    return std::unexpected(Error{EADDRINUSE, std::move(message), ErrorKind::conflict});
}

std::vector<std::string> fields(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string f; in >> f;) out.push_back(f);
    return out;
}

std::optional<unsigned long> parse_unsigned(const std::string& s, int base) {
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(s.c_str(), &end, base);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return v;
}

// The calling thread's network namespace, which may not be the process's.
constexpr const char* kProcNet = "/proc/thread-self/net/";

// Socket inodes from /proc/net/{tcp,tcp6,udp,udp6}: "sl local_address
// rem_address st ... uid timeout inode", local_address "0100007F:1F90" (port in
// hex). For TCP only listeners count (connections also use the port number).
void add_inet_socket_inodes(const std::string& table, bool listeners_only, std::uint16_t port,
                            std::set<std::string>& inodes) {
    auto text = read_file(kProcNet + table);
    if (!text) return;
    auto lines = split(*text, '\n');
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto f = fields(lines[i]);
        if (f.size() < 10) continue;
        auto colon = f[1].rfind(':');
        if (colon == std::string::npos) continue;
        auto local_port = parse_unsigned(f[1].substr(colon + 1), 16);
        if (local_port != port) continue;
        if (listeners_only && f[3] != "0A") continue;  // TCP_LISTEN
        if (f[9] != "0") inodes.insert(f[9]);
    }
}

// /proc/net/sctp/eps: "ENDPT SOCK STY SST HBKT LPORT UID INODE LADDRS", decimal port.
void add_sctp_socket_inodes(std::uint16_t port, std::set<std::string>& inodes) {
    auto text = read_file(std::string(kProcNet) + "sctp/eps");
    if (!text) return;
    auto lines = split(*text, '\n');
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto f = fields(lines[i]);
        if (f.size() >= 8 && parse_unsigned(f[5], 10) == port && f[7] != "0") inodes.insert(f[7]);
    }
}

std::set<std::string> socket_inodes(const std::string& proto, std::uint16_t port) {
    std::set<std::string> inodes;
    if (proto == "tcp" || proto == "udp") {
        add_inet_socket_inodes(proto, proto == "tcp", port, inodes);
        add_inet_socket_inodes(proto + "6", proto == "tcp", port, inodes);
    } else if (proto == "sctp") {
        add_sctp_socket_inodes(port, inodes);
    }
    return inodes;
}

struct CloseDir {
    void operator()(DIR* d) const { ::closedir(d); }
};
using Dir = std::unique_ptr<DIR, CloseDir>;

Dir open_dir(const std::string& path) {
    return Dir(::opendir(path.c_str()));
}

bool all_digits(const char* s) {
    if (!*s) return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

// Whether process `pid` has an fd open on one of the sockets ("socket:[inode]").
bool holds_socket(const std::string& pid, const std::set<std::string>& inodes) {
    std::string fd_dir = "/proc/" + pid + "/fd/";
    Dir dir = open_dir(fd_dir);
    if (!dir) return false;
    while (dirent* e = ::readdir(dir.get())) {
        char target[64];
        ssize_t n = ::readlink((fd_dir + e->d_name).c_str(), target, sizeof target - 1);
        if (n <= 9) continue;
        std::string_view link(target, static_cast<std::size_t>(n));
        if (link.starts_with("socket:[") && link.ends_with(']') &&
            inodes.contains(std::string(link.substr(8, link.size() - 9))))
            return true;
    }
    return false;
}

}  // namespace

Result<PortReservation> reserve_port(const std::string& proto,
                                     const std::optional<IpAddress>& host_ip, std::uint16_t port,
                                     bool v6) {
    auto kind = socket_kind(proto);
    if (!kind) return fail_as(ErrorKind::invalid_argument, cat("unknown protocol ", quoted(proto)));
    IpAddress addr = host_ip ? *host_ip : IpAddress{v6, {}};
    std::string what = cat(proto, ' ', endpoint_text(addr, port));

    UniqueFd fd(::socket(addr.v6 ? AF_INET6 : AF_INET, kind->type | SOCK_CLOEXEC, kind->protocol));
    if (!fd) {
        // Without SCTP in the kernel no program can hold an SCTP port either:
        // there is nothing to reserve (DNAT of SCTP still works).
        if (errno == EPROTONOSUPPORT && proto == "sctp" && port != 0)
            return PortReservation(UniqueFd(), port);
        return sys_fail(cat("reserve ", what, ": socket"));
    }
    // [::] means IPv6 only: IPv4 is published (and reserved) on its own.
    int one = 1;
    if (addr.v6 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
        return sys_fail(cat("reserve ", what, ": IPV6_V6ONLY"));

    SocketAddress sa = socket_address(addr, port);
    if (::bind(fd.get(), sa.get(), sa.len) != 0) {
        int err = errno;
        if (err == EADDRINUSE) return port_in_use(proto, addr, port);
        auto e = sys_fail(cat("reserve ", what, ": bind"), err);
        // Not one of the host's addresses: the user's mistake.
        if (err == EADDRNOTAVAIL) e.error().kind = ErrorKind::invalid_argument;
        return e;
    }
    if (kind->type == SOCK_STREAM && ::listen(fd.get(), 1) != 0) {
        if (errno == EADDRINUSE) return port_in_use(proto, addr, port);
        return sys_fail(cat("reserve ", what, ": listen"));
    }
    std::uint16_t bound = BERTH_TRY(with_context(bound_port(fd.get()), cat("reserve ", what)));
    return PortReservation(std::move(fd), bound);
}

std::string port_holder(const std::string& proto, std::uint16_t port) {
    auto inodes = socket_inodes(proto, port);
    if (inodes.empty()) return "";
    Dir proc = open_dir("/proc");
    if (!proc) return "";
    while (dirent* e = ::readdir(proc.get())) {
        if (!all_digits(e->d_name) || !holds_socket(e->d_name, inodes)) continue;
        auto comm = read_file(cat("/proc/", e->d_name, "/comm"));
        std::string name = comm ? std::string(trim(*comm)) : "";
        return cat("process ", e->d_name, ' ', quoted(name));
    }
    return "";
}

}  // namespace berth::network

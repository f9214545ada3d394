#include "network/firewall.hpp"

#include <nftables/libnftables.h>

#include <cctype>
#include <set>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"

namespace berth::network {

namespace {

// nft's identifier grammar (scanner.l) for a table name written unquoted.
Result<void> check_table_name(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 64 &&
              (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name)
        ok =
            ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
    if (!ok)
        return fail_as(ErrorKind::invalid_argument,
                       cat("invalid nftables table name ", quoted(name),
                           ": want a letter or _ then letters, digits, _ - . (at most 64)"));
    return {};
}

// A bridge name goes into the rules as an nft quoted string: no quote can end
// it early and no '*' can turn it into a prefix match (IFNAMSIZ is 16 with NUL).
Result<void> check_bridge_name(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 15;
    for (char c : name)
        ok = ok && std::isgraph(static_cast<unsigned char>(c)) && c != '"' && c != '*' &&
             c != '/' && c != ':' && c != '\\';
    if (!ok) return fail_as(ErrorKind::invalid_argument, cat("invalid bridge name ", quoted(name)));
    return {};
}

bool publishes_on_any_address(const PortMapping& p) {
    return !p.host_ip || p.host_ip->is_unspecified();
}

Result<void> check_mapping(const PortMapping& p) {
    auto bad = [&](std::string_view why) {
        return fail_as(ErrorKind::invalid_argument,
                       cat("publish ", p.proto, " port ", p.host_port, " to ", p.container_ip.str(),
                           ':', p.container_port, ": ", why));
    };
    if (p.proto != "tcp" && p.proto != "udp" && p.proto != "sctp")
        return bad("protocol must be tcp, udp or sctp");
    if (p.host_port == 0 || p.container_port == 0) return bad("port 0");
    if (!publishes_on_any_address(p) && p.host_ip->v6 != p.container_ip.v6)
        return bad(
            cat("host address ", p.host_ip->str(), " is not of the container address's family"));
    return {};
}

Result<void> check_mappings(const std::vector<PortMapping>& ports) {
    for (const auto& p : ports) BERTH_TRYV(check_mapping(p));
    return {};
}

Result<void> check_networks(const std::vector<FirewallNetwork>& networks) {
    for (const auto& n : networks) BERTH_TRYV(check_bridge_name(n.bridge));
    return {};
}

const char* ip_family(bool v6) {
    return v6 ? "ip6" : "ip";
}

// Four maps: {IPv4, IPv6} x {keyed by host address, any host address}.
std::string map_name(const PortMapping& p) {
    return cat("ports", p.container_ip.v6 ? "6" : "4",
               publishes_on_any_address(p) ? "_any" : "_addr");
}

// "[host address . ]proto . port : container address . port", the key and value
// types of map_name's map.
std::string map_element(const PortMapping& p) {
    std::string key = cat(p.proto, " . ", p.host_port);
    if (!publishes_on_any_address(p)) key = cat(p.host_ip->str(), " . ", key);
    return cat(key, " : ", p.container_ip.str(), " . ", p.container_port);
}

// One command per mapping, `verb` "add" or "delete".
std::string element_commands(std::string_view verb, const std::string& table,
                             const PortMapping& p) {
    return cat(verb, " element inet ", table, ' ', map_name(p), " { ", map_element(p), " }\n");
}

std::string map_definition(const std::string& name, bool v6, bool keyed_by_address,
                           const std::set<PortMapping>& ports) {
    const char* addr_type = v6 ? "ipv6_addr" : "ipv4_addr";
    std::string out =
        cat("\tmap ", name, " {\n\t\ttype ", keyed_by_address ? cat(addr_type, " . ") : "",
            "inet_proto . inet_service : ", addr_type, " . inet_service\n");
    std::vector<std::string> elements;
    for (const auto& p : ports)
        if (map_name(p) == name) elements.push_back(map_element(p));
    if (!elements.empty()) out += cat("\t\telements = { ", join(elements, ", "), " }\n");
    return out + "\t}\n";
}

// NAT for published ports: a packet to one of the host's own addresses whose
// protocol and port are in a map goes to the container. Prerouting catches
// packets from outside and from containers; output catches the host's own
// connections (nft 1.0.6 knows "dstnat" only for the prerouting hook, hence -100).
std::string publish_chains() {
    return "\tchain prerouting {\n"
           "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
           "\t\tfib daddr type local jump publish\n"
           "\t}\n"
           "\tchain output {\n"
           "\t\ttype nat hook output priority -100; policy accept;\n"
           "\t\tfib daddr type local jump publish\n"
           "\t}\n"
           "\tchain publish {\n"
           "\t\tmeta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @ports4_addr\n"
           "\t\tmeta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports4_any\n"
           "\t\tmeta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map "
           "@ports6_addr\n"
           "\t\tmeta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @ports6_any\n"
           "\t}\n";
}

std::string postrouting_chain(const std::vector<FirewallNetwork>& networks) {
    std::string out =
        "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n";
    for (const auto& n : networks) {
        if (!n.masquerade || n.internal) continue;
        for (const auto& s : n.subnets)
            out += cat("\t\t", ip_family(s.addr.v6), " saddr ", s.network().str(), " oifname != \"",
                       n.bridge, "\" masquerade\n");
    }
    // DNATed connections the container could not answer directly: from the
    // host's loopback (the reply would go to the container's own 127.0.0.1)
    // and hairpin ones from the same network (the reply would skip the host).
    for (const auto& n : networks) {
        out +=
            cat("\t\toifname \"", n.bridge, "\" ct status dnat ip saddr 127.0.0.0/8 masquerade\n");
        for (const auto& s : n.subnets)
            out += cat("\t\toifname \"", n.bridge, "\" ct status dnat ", ip_family(s.addr.v6),
                       " saddr ", s.network().str(), " masquerade\n");
    }
    return out + "\t}\n";
}

// Internal networks first (not even published ports reach them), then
// published ports (DNAT, both directions of the connection), then isolation
// between berth's networks.
std::string forward_chain(const std::vector<FirewallNetwork>& networks) {
    std::string out =
        "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n";
    for (const auto& n : networks) {
        if (!n.internal) continue;
        out += cat("\t\tiifname \"", n.bridge, "\" oifname != \"", n.bridge, "\" drop\n");
        out += cat("\t\toifname \"", n.bridge, "\" iifname != \"", n.bridge, "\" drop\n");
    }
    out += "\t\tct status dnat accept\n";
    for (const auto& n : networks) {
        std::vector<std::string> others;
        for (const auto& o : networks)
            if (o.bridge != n.bridge) others.push_back(quoted(o.bridge));
        if (!others.empty())
            out +=
                cat("\t\tiifname \"", n.bridge, "\" oifname { ", join(others, ", "), " } drop\n");
    }
    return out + "\t}\n";
}

std::string inet_table(const std::string& table, const std::vector<FirewallNetwork>& networks,
                       const std::vector<PortMapping>& ports) {
    std::set<PortMapping> unique(ports.begin(), ports.end());
    std::string out = cat("table inet ", table, " {\n");
    out += map_definition("ports4_any", false, false, unique);
    out += map_definition("ports4_addr", false, true, unique);
    out += map_definition("ports6_any", true, false, unique);
    out += map_definition("ports6_addr", true, true, unique);
    out += publish_chains();
    out += postrouting_chain(networks);
    out += forward_chain(networks);
    return out + "}\n";
}

// enable_icc=false. The bridge family's forward hook sees only frames bridged
// from one port to another, never those to the host, so containers still reach
// the gateway. Frames are matched by addresses in the network's subnets, which
// berth keeps disjoint, since `meta ibrname` needs CONFIG_NFT_BRIDGE_META, which
// kernels (this one included) may lack.
std::string bridge_table(const std::string& table, const std::vector<FirewallNetwork>& networks) {
    std::string out = cat(
        "table bridge ", table,
        " {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
    for (const auto& n : networks) {
        if (n.icc) continue;
        for (const auto& s : n.subnets) {
            const char* family = ip_family(s.addr.v6);
            std::string subnet = s.network().str();
            out +=
                cat("\t\t", family, " saddr ", subnet, ' ', family, " daddr ", subnet, " drop\n");
        }
    }
    return out + "\t}\n}\n";
}

// Deletes a table whether or not it exists: adding an existing table is a
// no-op, so the delete that follows always has something to delete.
std::string delete_table(std::string_view family, const std::string& table) {
    return cat("table ", family, ' ', table, " {}\ndelete table ", family, ' ', table, '\n');
}

}  // namespace

Result<std::unique_ptr<Firewall>> Firewall::open(std::string table) {
    BERTH_TRYV(check_table_name(table));
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) return fail(cat("nftables (table ", table, "): cannot create a libnftables context"));
    // Errors and listings are read back from memory, never printed.
    if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
        nft_ctx_free(ctx);
        return fail(cat("nftables (table ", table, "): cannot buffer libnftables output"));
    }
    return std::unique_ptr<Firewall>(new Firewall(std::move(table), ctx));
}

Firewall::~Firewall() {
    nft_ctx_free(ctx_);
}

Result<void> Firewall::run(const std::string& commands) {
    int rc = nft_run_cmd_from_buffer(ctx_, commands.c_str());
    // Reading a buffer also empties it for the next command.
    std::string error(trim(nft_ctx_get_error_buffer(ctx_)));
    nft_ctx_get_output_buffer(ctx_);
    if (rc != 0)
        return fail(
            cat("nftables (table ", table_, "): ", error.empty() ? "command failed" : error));
    return {};
}

Result<void> Firewall::sync(const std::vector<FirewallNetwork>& networks,
                            const std::vector<PortMapping>& ports) {
    BERTH_TRYV(check_networks(networks));
    BERTH_TRYV(check_mappings(ports));
    std::string commands = render(table_, networks, ports);
    if (log::enabled(log::Level::debug)) log::debug(cat("nftables: sync\n", commands));
    std::lock_guard lock(mu_);
    return run(commands);
}

Result<void> Firewall::add_ports(const std::vector<PortMapping>& ports) {
    BERTH_TRYV(check_mappings(ports));
    if (ports.empty()) return {};
    std::string commands;
    for (const auto& p : ports) commands += element_commands("add", table_, p);
    std::lock_guard lock(mu_);
    return run(commands);
}

Result<void> Firewall::remove_ports(const std::vector<PortMapping>& ports) {
    BERTH_TRYV(check_mappings(ports));
    if (ports.empty()) return {};
    // Adding an element that is there already is a no-op, so add-then-delete in
    // one transaction removes it whether or not it was there (nft 1.0.6 has no
    // `destroy element`).
    std::string commands;
    for (const auto& p : ports)
        commands += element_commands("add", table_, p) + element_commands("delete", table_, p);
    std::lock_guard lock(mu_);
    auto removed = run(commands);
    // No table (never synced, or flushed by someone else): nothing to remove.
    if (!removed && !run(cat("list table inet ", table_, '\n'))) return {};
    return removed;
}

Result<void> Firewall::destroy() {
    std::lock_guard lock(mu_);
    return run(delete_table("inet", table_) + delete_table("bridge", table_));
}

std::string Firewall::render(const std::string& table, const std::vector<FirewallNetwork>& networks,
                             const std::vector<PortMapping>& ports) {
    return delete_table("inet", table) + delete_table("bridge", table) +
           inet_table(table, networks, ports) + bridge_table(table, networks);
}

}  // namespace berth::network

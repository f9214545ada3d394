#include "network/ipam.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace berth::network {

AddressPool::AddressPool(const Network& n) : network_name_(n.name), pools_(n.pools) {}

bool AddressPool::has_family(bool v6) const {
    for (const auto& p : pools_)
        if (p.subnet.addr.v6 == v6) return true;
    return false;
}

const IpamPool* AddressPool::pool_of(const IpAddress& a) const {
    for (const auto& p : pools_)
        if (p.subnet.contains(a)) return &p;
    return nullptr;
}

bool AddressPool::excluded(const IpamPool& p, const IpAddress& a) const {
    if (a == p.subnet.network().addr) return true;
    if (!a.v6 && p.subnet.len < 31 && a == p.subnet.last()) return true;
    if (p.gateway && a == *p.gateway) return true;
    for (const auto& [_, aux] : p.aux)
        if (aux == a) return true;
    return false;
}

Result<IpAddress> AddressPool::allocate(bool v6) {
    for (const auto& p : pools_) {
        if (p.subnet.addr.v6 != v6) continue;
        IpPrefix range = p.ip_range ? p.ip_range->network() : p.subnet.network();
        std::uint64_t n = range.size();
        // Continue after the last address handed out when it is in this range.
        std::uint64_t start = 0;
        if (auto& last = last_[v6]; last && range.contains(*last)) {
            if (auto off = last->minus(range.addr)) start = (*off + 1) % n;
        }
        // Scanning is bounded by the pool size; IPv6 pools are capped (a /64 is
        // never full in practice and must not be walked whole).
        std::uint64_t limit = std::min<std::uint64_t>(n, 1u << 24);
        for (std::uint64_t i = 0; i < limit; ++i) {
            IpAddress a = range.addr.plus((start + i) % n);
            if (excluded(p, a) || used_.contains(a)) continue;
            used_.insert(a);
            last_[v6] = a;
            return a;
        }
    }
    if (!has_family(v6))
        return fail_as(ErrorKind::invalid_argument,
                       cat("network ", network_name_, " has no IPv", v6 ? "6" : "4", " subnet"));
    return fail_as(ErrorKind::conflict,
                   cat("no available IPv", v6 ? "6" : "4", " addresses on network ", network_name_,
                       ": the address pool is exhausted"));
}

Result<void> AddressPool::reserve(const IpAddress& a) {
    const IpamPool* p = pool_of(a);
    if (!p || (p->ip_range && !p->ip_range->contains(a)))
        return fail_as(ErrorKind::invalid_argument,
                       cat("invalid address ", a.str(), ": it does not belong to any of network ", network_name_,
                           "'s subnets"));
    if (excluded(*p, a) || used_.contains(a))
        return fail_as(ErrorKind::conflict, cat("Address already in use: ", a.str(), " on network ", network_name_));
    used_.insert(a);
    return {};
}

void AddressPool::release(const IpAddress& a) { used_.erase(a); }

std::optional<IpPrefix> free_subnet(const std::vector<IpPrefix>& taken) {
    std::vector<IpPrefix> candidates;
    for (std::uint32_t b = 17; b <= 31; ++b) candidates.push_back({IpAddress::v4((172u << 24) | (b << 16)), 16});
    for (std::uint32_t c = 0; c < 256; c += 16)
        candidates.push_back({IpAddress::v4((192u << 24) | (168u << 16) | (c << 8)), 20});
    for (const auto& cand : candidates) {
        bool clash = false;
        for (const auto& t : taken) clash = clash || cand.overlaps(t);
        if (!clash) return cand;
    }
    return std::nullopt;
}

}  // namespace berth::network

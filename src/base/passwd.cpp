#include "base/passwd.hpp"

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth {

std::optional<PasswdEntry> lookup_uid(const std::string& passwd_path, uid_t uid) {
    auto text = read_file(passwd_path);
    if (!text) return std::nullopt;
    for (auto& line : split(*text, '\n')) {
        auto f = split(line, ':');  // name:password:uid:gid:gecos:home:shell
        if (f.size() < 6) continue;
        auto u = parse_int(f[2]);
        auto g = parse_int(f[3]);
        if (!u || !g || *u != static_cast<long long>(uid)) continue;
        return PasswdEntry{f[0], static_cast<uid_t>(*u), static_cast<gid_t>(*g), f[5]};
    }
    return std::nullopt;
}

}  // namespace berth

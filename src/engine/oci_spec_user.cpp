// User resolution as libcontainer's user.GetExecUser, against files inside the
// container's rootfs.
#include <fcntl.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "engine/container_settings_internal.hpp"
#include "engine/oci_spec_builder.hpp"
#include "runtime/safe_path.hpp"

namespace berth::engine {

using detail::invalid;

namespace {

constexpr long long kMaxId = 2147483647;  // ids are int32 on the wire, as in runc

struct Entry {
    std::string name;
    long long id = 0, gid = 0;  // passwd: uid, gid; group: gid
    std::vector<std::string> members;
};

// The rootfs's file split into entries; an absent file is an empty list.
Result<std::vector<Entry>> read_db(const std::string& rootfs, const char* path, bool is_group) {
    auto root = BERTH_TRY(open_fd(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto fd = runtime::open_in_root(root.get(), path, O_RDONLY);
    if (!fd) {
        if (fd.error().sys_errno == ENOENT) return std::vector<Entry>{};
        return std::unexpected(std::move(fd.error()));
    }
    auto text = BERTH_TRY(read_fd(fd->get()));
    std::vector<Entry> out;
    for (auto& line : split(text, '\n')) {
        if (line.empty() || line.starts_with('#')) continue;
        auto f = split(line, ':');  // passwd name:pw:uid:gid:...  group name:pw:gid:members
        if (f.size() < (is_group ? 3u : 4u)) continue;
        auto id = parse_int(f[2]);
        if (!id) continue;
        Entry e{f[0], *id, 0, {}};
        if (is_group) {
            if (f.size() > 3)
                for (auto& m : split(f[3], ','))
                    if (!m.empty()) e.members.push_back(m);
        } else {
            e.gid = parse_int(f[3]).value_or(0);
        }
        out.push_back(std::move(e));
    }
    return out;
}

Result<uint32_t> checked_id(long long id) {
    if (id < 0 || id > kMaxId) return invalid("uids and gids must be in range 0-2147483647");
    return static_cast<uint32_t>(id);
}

Result<uint32_t> resolve_group(const std::vector<Entry>& groups, const std::string& group) {
    if (auto n = parse_int(group)) return checked_id(*n);
    for (auto& g : groups)
        if (g.name == group) return checked_id(g.id);
    return invalid("unable to find group " + group + ": no matching entries in group file");
}

}  // namespace

Result<oci::User> resolve_user(const std::string& rootfs, std::string_view spec,
                               const std::vector<std::string>& group_add) {
    std::string user_part(spec.substr(0, spec.find(':')));
    std::string group_part = spec.find(':') == std::string_view::npos
                                 ? ""
                                 : std::string(spec.substr(spec.find(':') + 1));
    if (user_part.empty()) user_part = "0";
    auto passwd = BERTH_TRY(read_db(rootfs, "/etc/passwd", false));
    auto groups = BERTH_TRY(read_db(rootfs, "/etc/group", true));

    oci::User u;
    std::string name;
    const Entry* found = nullptr;
    if (auto n = parse_int(user_part)) {
        u.uid = BERTH_TRY(checked_id(*n));
        for (auto& e : passwd)
            if (e.id == *n) {
                found = &e;
                break;
            }
    } else {
        for (auto& e : passwd)
            if (e.name == user_part) {
                found = &e;
                break;
            }
        if (!found)
            return invalid("unable to find user " + user_part +
                           ": no matching entries in passwd file");
        u.uid = BERTH_TRY(checked_id(found->id));
    }
    if (found) {
        name = found->name;
        u.gid = BERTH_TRY(checked_id(found->gid));
    }
    if (!group_part.empty()) u.gid = BERTH_TRY(resolve_group(groups, group_part));
    // Supplementary groups: those listing the user as a member, unless a group
    // was named explicitly (libcontainer then uses only that one).
    auto add = [&](uint32_t gid) {
        if (std::ranges::find(u.additional_gids, gid) == u.additional_gids.end())
            u.additional_gids.push_back(gid);
    };
    if (group_part.empty() && !name.empty())
        for (auto& g : groups)
            if (std::ranges::find(g.members, name) != g.members.end())
                add(BERTH_TRY(checked_id(g.id)));
    for (auto& g : group_add) add(BERTH_TRY(resolve_group(groups, g)));
    return u;
}

}  // namespace berth::engine

// Backend choice and opening a container's cgroup.
#include "runtime/cgroup.hpp"

#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime {

using namespace cgroup_detail;

std::string default_cgroup_mount_point() {
    const char* env = ::getenv("BERTH_CGROUP_ROOT");
    return env && *env ? env : "/sys/fs/cgroup";
}

CgroupVersion detect_cgroup_version(const CgroupRoot& root) {
    struct statfs st {};
    if (::statfs(root.mount_point.c_str(), &st) == 0 &&
        static_cast<unsigned long>(st.f_type) == CGROUP2_SUPER_MAGIC)
        return CgroupVersion::v2;
    return CgroupVersion::v1;
}

Result<std::unique_ptr<Cgroup>> open_cgroup(const std::string& cgroups_path,
                                            const std::string& container_id,
                                            const CgroupRoot& root) {
    return open_cgroup(detect_cgroup_version(root), cgroups_path, container_id, root);
}

namespace {

Result<std::unique_ptr<Cgroup>> open_v1(const std::string& rel, const CgroupRoot& root) {
    auto mounts = BERTH_TRY(read_mountinfo());
    auto hierarchies = BERTH_TRY(find_v1_hierarchies(root.mount_point, mounts));
    if (hierarchies.empty())
        return fail("no cgroup v1 hierarchy is mounted under " + root.mount_point);
    V1Dirs dirs;
    dirs.mount_point = root.mount_point;
    dirs.rel_path = rel;
    for (auto& h : hierarchies) {
        std::string dir = h.mount_dir + rel;
        dirs.all.push_back(dir);
        for (auto& c : h.controllers) dirs.by_controller[c] = dir;
    }
    return make_cgroup_v1(std::move(dirs));
}

}  // namespace

Result<std::unique_ptr<Cgroup>> open_cgroup(CgroupVersion v, const std::string& cgroups_path,
                                            const std::string& container_id,
                                            const CgroupRoot& root) {
    auto rel = BERTH_TRY(resolve_cgroup_path(cgroups_path, container_id));
    if (v == CgroupVersion::v2) return make_cgroup_v2(root.mount_point, rel);
    return with_context(open_v1(rel, root), "open cgroup " + rel);
}

}  // namespace berth::runtime

namespace berth::runtime::cgroup_detail {

const std::string* V1Dirs::find(std::string_view controller) const {
    auto it = by_controller.find(std::string(controller));
    return it == by_controller.end() ? nullptr : &it->second;
}

Result<std::string> V1Dirs::need(std::string_view controller, std::string_view needed_by) const {
    if (auto* d = find(controller)) return *d;
    return fail("cgroup v1 controller \"" + std::string(controller) + "\" is not mounted under " +
                mount_point + " (needed by " + std::string(needed_by) + ")");
}

}  // namespace berth::runtime::cgroup_detail

namespace berth::runtime {

Result<void> join_cgroup_self(const std::vector<int>& fds) {
    for (int fd : fds)
        if (::write(fd, "0", 1) != 1) return sys_fail("join cgroup (write 0 to its tasks file)");
    return {};
}

}  // namespace berth::runtime

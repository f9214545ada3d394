// The cgroup v2 backend's lifecycle: one directory, controllers delegated from
// the parents, cgroup.freeze/cgroup.events for freezing, cgroup.kill for teardown.
// The limits are in cgroup_v2_resources.cpp, the device filter in cgroup_v2_devices.cpp.
#include <fcntl.h>
#include <signal.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

constexpr auto freeze_timeout = std::chrono::seconds(5);

// A controller's files appear in a child only once the parent lists it in
// cgroup.subtree_control. Enables every controller the parent has: create() is
// called before the resources are known, and an update may need any of them.
// All at once first; one by one if refused (a controller such as cpuset can be
// busy), leaving a refused one to fail clearly in apply().
Result<void> enable_controllers(const std::string& parent) {
    if (!has_file(parent, "cgroup.controllers")) return {};
    auto available = split(BERTH_TRY(read_trimmed(parent, "cgroup.controllers")), ' ');
    std::vector<std::string> wanted;
    for (auto& c : available)
        if (!c.empty()) wanted.push_back("+" + c);
    if (wanted.empty()) return {};
    if (write_file(parent, "cgroup.subtree_control", join(wanted, " "))) return {};
    for (auto& w : wanted) (void)write_file(parent, "cgroup.subtree_control", w);
    return {};
}

// "frozen 1" in cgroup.events once every task is frozen (cgroup-v2.rst, Freezer).
Result<bool> events_frozen(const std::string& dir) {
    for (auto& line : split(BERTH_TRY(read_trimmed(dir, "cgroup.events")), '\n'))
        if (line.starts_with("frozen ")) return line == "frozen 1";
    return fail(dir + "/cgroup.events has no \"frozen\" key");
}

class CgroupV2 final : public Cgroup {
  public:
    CgroupV2(std::string mount_point, std::string rel)
        : mount_point_(std::move(mount_point)), rel_(std::move(rel)), dir_(mount_point_ + rel_) {}

    CgroupVersion version() const override { return CgroupVersion::v2; }

    Result<void> create() override {
        auto levels = BERTH_TRY(with_context(make_levels(mount_point_, rel_), "create cgroup"));
        std::string parent = mount_point_;
        for (auto& level : levels) {
            if (auto r = enable_controllers(parent); !r) {
                remove_created(levels);
                return std::unexpected(std::move(r.error()).context("create cgroup " + dir_));
            }
            parent = level.dir;
        }
        return {};
    }

    Result<void> apply(const oci::Resources& r) override {
        return with_context(apply_v2_resources(dir_, r), "apply cgroup resources");
    }

    Result<void> add_process(pid_t pid) override {
        return with_context(write_file(dir_, "cgroup.procs", std::to_string(pid)),
                            "add process to cgroup");
    }

    Result<UniqueFd> open_for_clone() const override { return open_fd(dir_, O_PATH | O_DIRECTORY); }

    Result<std::vector<UniqueFd>> open_self_join_files() const override {
        return std::vector<UniqueFd>{};  // cgroup.threads is only for threaded cgroups
    }

    Result<std::vector<pid_t>> processes() const override { return procs_recursive(dir_); }

    Result<void> freeze() override { return set_frozen(true); }
    Result<void> thaw() override { return set_frozen(false); }
    Result<bool> frozen() const override {
        if (!path_exists(dir_)) return false;
        return events_frozen(dir_);
    }

    Result<void> destroy() override {
        if (!is_empty(dir_)) {  // an exited container's cgroup needs no kill round
            BERTH_TRYV_CTX(kill_everything(), "destroy cgroup");
            BERTH_TRYV_CTX(wait_empty(dir_), "destroy cgroup");
        }
        return with_context(remove_tree(dir_), "destroy cgroup");
    }

    std::string path(const std::string&) const override { return dir_; }

  private:
    Result<void> set_frozen(bool on) {
        BERTH_TRYV(write_file(dir_, "cgroup.freeze", on ? "1" : "0"));
        auto r = poll_until(
            [&]() -> Result<bool> { return BERTH_TRY(events_frozen(dir_)) == on; }, freeze_timeout,
            "wait for " + dir_ + "/cgroup.events to say frozen " + (on ? "1" : "0"));
        if (!r && on) (void)write_file(dir_, "cgroup.freeze", "0");
        return r;
    }

    // cgroup.kill (5.14+) kills the whole subtree atomically, frozen or not.
    // Older kernels: freeze so nothing forks meanwhile, SIGKILL each pid, thaw.
    Result<void> kill_everything() {
        if (!path_exists(dir_)) return {};
        if (has_file(dir_, "cgroup.kill")) return write_file(dir_, "cgroup.kill", "1");
        bool froze = has_file(dir_, "cgroup.freeze") && set_frozen(true).has_value();
        auto killed = kill_all(dir_);
        if (froze) BERTH_TRYV(set_frozen(false));
        return killed;
    }

    std::string mount_point_, rel_, dir_;
};

}  // namespace

std::unique_ptr<Cgroup> make_cgroup_v2(std::string mount_point, std::string rel_path) {
    return std::make_unique<CgroupV2>(std::move(mount_point), std::move(rel_path));
}

}  // namespace berth::runtime::cgroup_detail

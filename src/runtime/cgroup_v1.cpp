// The cgroup v1 backend's lifecycle: a directory per hierarchy, the freezer
// controller for freeze/thaw. The limits are in cgroup_v1_resources.cpp.
#include <fcntl.h>

#include "base/file.hpp"
#include "runtime/cgroup_internal.hpp"

namespace berth::runtime::cgroup_detail {

namespace {

constexpr auto freeze_timeout = std::chrono::seconds(5);

// A new v1 cpuset directory starts with empty cpuset.cpus/mems, and the kernel
// refuses tasks until both are set (cpuset(7)): copy them down from the parent.
Result<void> init_cpuset_level(const std::string& parent, const std::string& dir) {
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
        if (!has_file(dir, file)) continue;
        if (!BERTH_TRY(read_trimmed(dir, file)).empty()) continue;
        auto from_parent = BERTH_TRY(read_trimmed(parent, file));
        BERTH_TRYV(write_file(dir, file, from_parent));
    }
    return {};
}

class CgroupV1 final : public Cgroup {
  public:
    explicit CgroupV1(V1Dirs dirs) : dirs_(std::move(dirs)) {}

    CgroupVersion version() const override { return CgroupVersion::v1; }

    Result<void> create() override {
        std::vector<std::vector<CgroupLevel>> made;
        auto undo = [&] {
            for (auto it = made.rbegin(); it != made.rend(); ++it) remove_created(*it);
        };
        for (auto& dir : dirs_.all) {
            auto levels = make_levels(base_of(dir), dirs_.rel_path);
            if (!levels) {
                undo();
                return std::unexpected(std::move(levels.error()).context("create cgroup"));
            }
            made.push_back(std::move(*levels));
        }
        if (auto r = init_cpuset(); !r) {
            undo();
            return std::unexpected(std::move(r.error()).context("create cgroup"));
        }
        return {};
    }

    Result<void> apply(const oci::Resources& r) override {
        return with_context(apply_v1_resources(dirs_, r), "apply cgroup resources");
    }

    Result<void> add_process(pid_t pid) override {
        for (auto& dir : dirs_.all)
            BERTH_TRYV_CTX(write_file(dir, "cgroup.procs", std::to_string(pid)),
                           "add process to cgroup");
        return {};
    }

    Result<UniqueFd> open_for_clone() const override { return UniqueFd(); }

    Result<std::vector<UniqueFd>> open_self_join_files() const override {
        std::vector<UniqueFd> fds;
        for (auto& dir : dirs_.all) fds.push_back(BERTH_TRY(open_fd(dir + "/tasks", O_WRONLY)));
        return fds;
    }

    Result<std::vector<pid_t>> processes() const override { return procs_recursive(procs_dir()); }

    Result<void> freeze() override {
        auto dir = BERTH_TRY(dirs_.need("freezer", "freeze"));
        BERTH_TRYV(write_file(dir, "freezer.state", "FROZEN"));
        auto r = wait_state(dir, "FROZEN");
        if (!r) (void)write_file(dir, "freezer.state", "THAWED");
        return r;
    }

    Result<void> thaw() override {
        auto dir = BERTH_TRY(dirs_.need("freezer", "thaw"));
        BERTH_TRYV(write_file(dir, "freezer.state", "THAWED"));
        return wait_state(dir, "THAWED");
    }

    Result<bool> frozen() const override {
        auto* dir = dirs_.find("freezer");
        if (!dir) return false;
        return BERTH_TRY(read_trimmed(*dir, "freezer.state")) == "FROZEN";
    }

    Result<void> destroy() override {
        // The usual case is a container that already exited: an empty cgroup
        // needs no freeze/kill/thaw round (each a wait on freezer.state).
        if (!is_empty(procs_dir())) {
            BERTH_TRYV_CTX(kill_frozen_or_not(), "destroy cgroup");
            BERTH_TRYV_CTX(wait_empty(procs_dir()), "destroy cgroup");
        }
        for (auto& dir : dirs_.all) BERTH_TRYV_CTX(remove_tree(dir), "destroy cgroup");
        return {};
    }

    std::string path(const std::string& controller) const override {
        if (controller.empty()) return procs_dir();
        auto* d = dirs_.find(controller);
        return d ? *d : "";
    }

  private:
    std::string base_of(const std::string& dir) const {
        return dir.substr(0, dir.size() - dirs_.rel_path.size());
    }

    Result<void> init_cpuset() {
        auto* dir = dirs_.find("cpuset");
        if (!dir) return {};
        std::string parent = base_of(*dir);
        for (auto& level : BERTH_TRY(make_levels(parent, dirs_.rel_path))) {
            BERTH_TRYV(init_cpuset_level(parent, level.dir));
            parent = level.dir;
        }
        return {};
    }

    // One hierarchy answers "which processes": every task is in exactly one cgroup
    // of each hierarchy, so any will do; prefer the ones meant for tracking.
    std::string procs_dir() const {
        for (const char* c : {"pids", "freezer", "memory"})
            if (auto* d = dirs_.find(c)) return *d;
        return dirs_.all.empty() ? "" : dirs_.all.front();
    }

    // A v1-frozen task cannot act on SIGKILL until thawed. Freezing first stops a
    // fork loop from outrunning the kill; the thaw then lets the signals land.
    Result<void> kill_frozen_or_not() {
        auto* freezer = dirs_.find("freezer");
        bool can_freeze = freezer && path_exists(*freezer);
        if (can_freeze) (void)freeze();
        auto killed = kill_all(procs_dir());
        if (can_freeze) BERTH_TRYV(thaw());
        return killed;
    }

    static Result<void> wait_state(const std::string& dir, std::string_view want) {
        return poll_until(
            [&]() -> Result<bool> { return BERTH_TRY(read_trimmed(dir, "freezer.state")) == want; },
            freeze_timeout, "wait for " + dir + "/freezer.state to read " + std::string(want));
    }

    V1Dirs dirs_;
};

}  // namespace

std::unique_ptr<Cgroup> make_cgroup_v1(V1Dirs dirs) {
    return std::make_unique<CgroupV1>(std::move(dirs));
}

}  // namespace berth::runtime::cgroup_detail

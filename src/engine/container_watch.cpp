// Watching monitors: a monitor exits when its container does, so one epoll over the
// monitors' pidfds tells the daemon about every exit, whether it spawned the monitor
// or adopted it after a restart. Then: the exit record, auto-remove, restart policy.
// And restore(): the reconciliation at daemon start.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/pidfd.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "engine/container_entry.hpp"
#include "engine/daemon.hpp"
#include "engine/monitor_client.hpp"
#include "runtime/container.hpp"

namespace berth::engine {

namespace {

constexpr int kRestartDelayStartMs = 100;   // Docker's first backoff
constexpr int kRestartDelayMaxMs = 60'000;  // and its ceiling
constexpr std::int64_t kRestartResetNs = 10'000'000'000;  // a run this long resets the backoff

std::int64_t now_ns() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

// Private overlays (cp, export of stopped containers) a daemon that died left
// mounted: nobody uses them now.
void clear_private_mounts(const std::string& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
    if (!d) return;
    while (auto* ent = readdir(d.get())) {
        std::string name = ent->d_name;
        if (name == "." || name == "..") continue;
        auto path = dir + "/" + name;
        ::umount2(path.c_str(), MNT_DETACH);
        ::rmdir(path.c_str());
    }
}

}  // namespace

void ContainerService::watch(const std::string& id, UniqueFd monitor_pidfd) {
    // Called with mu_ held.
    if (!epoll_) {
        epoll_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
        wake_ = UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = 0;
        epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
        watcher_ = std::thread([this] { watch_loop(); });
    }
    std::uint64_t token = next_token_++;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = token;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, monitor_pidfd.get(), &ev) != 0) {
        log::error(cat("watching the monitor of ", id, ": ", std::strerror(errno)));
        return;
    }
    watched_[token] = {id, std::move(monitor_pidfd)};
}

void ContainerService::watch_loop() {
    epoll_event events[16];
    for (;;) {
        int n = epoll_wait(epoll_.get(), events, 16, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            log::error(cat("epoll_wait: ", std::strerror(errno)));
            return;
        }
        for (int i = 0; i < n; ++i) {
            auto token = events[i].data.u64;
            std::string id;
            {
                std::lock_guard lock(mu_);
                if (token == 0) {
                    if (stopping_) return;
                    continue;
                }
                auto it = watched_.find(token);
                if (it == watched_.end()) continue;
                // Our own child: reap it (an adopted monitor is init's to reap).
                siginfo_t si{};
                waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(it->second.second.get()), &si,
                       WEXITED | WNOHANG);
                epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second.second.get(), nullptr);
                id = it->second.first;
                watched_.erase(it);
            }
            on_monitor_exit(id);
        }
    }
}

void ContainerService::on_monitor_exit(const std::string& id) {
    std::shared_ptr<Entry> e;
    {
        std::lock_guard lock(mu_);
        auto it = entries_.find(id);
        if (it == entries_.end()) return;
        e = it->second;
    }
    d_.health().forget(id);
    auto p = paths(id);
    auto rec = read_exit_record(p.state_dir);
    unmount_rootfs(id);
    d_.networks().release(id);
    std::int64_t ran_ns = 0;
    {
        std::lock_guard lock(mu_);
        publish_network_events(e->c, "disconnect");
        forget_addresses(e->c);
        auto& st = e->c.state;
        st.status = ContainerStatus::exited;
        st.pid = 0;
        st.monitor_pid = 0;
        if (rec && *rec) {
            st.exit_code = (*rec)->exit_code;
            st.oom_killed = (*rec)->oom_killed;
            st.finished_at = (*rec)->finished_at;
            st.finished_at_ns = parse_rfc3339_nanos(st.finished_at).value_or(now_ns());
        } else {
            // The monitor died without a word (killed): the container died with it.
            st.exit_code = 255;
            st.error = "the container's monitor exited without recording an exit code";
            st.finished_at_ns = now_ns();
            st.finished_at = rfc3339(st.finished_at_ns / 1'000'000'000, st.finished_at_ns % 1'000'000'000);
        }
        if (auto started = parse_rfc3339_nanos(st.started_at)) ran_ns = st.finished_at_ns - *started;
        if (!st.health.status.empty()) st.health.status = "unhealthy";
        e->exits++;
        if (auto r = persist_locked(e->c); !r) log::warn(cat("recording container ", id, ": ", r.error().message));
        if (st.oom_killed) publish(e->c, "oom");
        publish(e->c, "die", {{"exitCode", std::to_string(st.exit_code)}});
        cv_.notify_all();
    }
    after_exit(e, ran_ns);
}

void ContainerService::spawn_job(std::function<void()> job) {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    ++jobs_;
    std::thread([this, job = std::move(job)] {
        job();
        std::lock_guard l(mu_);
        --jobs_;
        cv_.notify_all();
    }).detach();
}

void ContainerService::after_exit(const std::shared_ptr<Entry>& e, std::int64_t ran_ns) {
    bool remove = false, restart = false;
    int delay = 0;
    {
        std::lock_guard lock(mu_);
        const auto& s = e->c.settings;
        const auto& policy = s.restart.name;
        if (s.auto_remove) {
            remove = true;
        } else if (!e->c.manually_stopped && !e->removing && !stopping_) {
            restart = policy == "always" || policy == "unless-stopped" ||
                      (policy == "on-failure" && e->c.state.exit_code != 0 &&
                       (s.restart.maximum_retry_count == 0 || e->c.restart_count < s.restart.maximum_retry_count));
        }
        if (restart) {
            // Docker's backoff: 100 ms doubling to a minute, reset by a run of 10 s.
            if (ran_ns >= kRestartResetNs || e->restart_delay_ms == 0)
                e->restart_delay_ms = kRestartDelayStartMs;
            else
                e->restart_delay_ms = std::min(e->restart_delay_ms * 2, kRestartDelayMaxMs);
            delay = e->restart_delay_ms;
            e->c.state.status = ContainerStatus::restarting;
            (void)persist_locked(e->c);
        }
    }
    if (remove) {
        spawn_job([this, e] {
            std::lock_guard op(e->op);
            if (auto r = remove_locked(*e, false); !r)
                log::warn(cat("auto-removing container ", e->c.id, ": ", r.error().message));
        });
    } else if (restart) {
        spawn_job([this, e, delay] {
            {
                std::unique_lock lock(mu_);
                cv_.wait_for(lock, std::chrono::milliseconds(delay), [&] {
                    return stopping_ || e->removed || e->c.state.status != ContainerStatus::restarting;
                });
                if (stopping_ || e->removed || e->c.state.status != ContainerStatus::restarting) return;
            }
            std::lock_guard op(e->op);
            {
                std::lock_guard lock(mu_);
                if (e->removed || e->c.state.status != ContainerStatus::restarting || e->c.manually_stopped) return;
                e->c.restart_count++;
            }
            if (auto r = start_locked(*e); !r) {
                log::warn(cat("restarting container ", e->c.id, ": ", r.error().message));
                std::lock_guard lock(mu_);
                e->c.state.status = ContainerStatus::exited;
                (void)persist_locked(e->c);
                cv_.notify_all();
            } else {
                std::lock_guard lock(mu_);
                publish(e->c, "restart");
            }
        });
    }
}

void ContainerService::shutdown() {
    {
        std::unique_lock lock(mu_);
        if (stopping_) return;
        stopping_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return jobs_ == 0; });
    }
    if (watcher_.joinable()) {
        std::uint64_t one = 1;
        (void)!write(wake_.get(), &one, sizeof one);
        watcher_.join();
    }
}

Result<void> ContainerService::restore() {
    auto dir = d_.config().data_root + "/containers";
    BERTH_TRYV(mkdir_p(dir, 0710));
    BERTH_TRYV(mkdir_p(d_.config().exec_root + "/containers", 0700));
    clear_private_mounts(d_.config().exec_root + "/fs-mounts");
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
    if (!d) return sys_fail("opening " + dir);
    std::vector<std::shared_ptr<Entry>> to_start;
    while (auto* ent = readdir(d.get())) {
        std::string id = ent->d_name;
        if (id == "." || id == "..") continue;
        auto p = paths(id);
        auto text = read_file(p.config_file());
        if (!text) {
            // A create that died before recording the container: nothing refers to it.
            log::warn(cat("removing incomplete container directory ", p.dir));
            (void)remove_container_dir(p.dir);
            continue;
        }
        auto json = parse_json(*text, p.config_file());
        auto c = json ? Container::from_disk(*json) : Result<Container>(std::unexpected(json.error()));
        if (!c) {
            log::error(cat("container ", id, " is unreadable, skipped: ", c.error().message));
            continue;
        }
        auto e = std::make_shared<Entry>();
        e->c = std::move(*c);
        auto& st = e->c.state;
        bool adopted = false;
        if (st.running() && st.status != ContainerStatus::restarting && st.monitor_pid > 0 &&
            monitor_alive(p.state_dir)) {
            if (auto fd = pidfd_open(st.monitor_pid)) {
                std::lock_guard lock(mu_);
                watch(id, std::move(*fd));
                adopted = true;
                if (auto r = restore_sandbox(e->c); !r)
                    log::warn(cat("container ", id.substr(0, 12), ": readopting its network: ", r.error().message));
                if (e->c.settings.healthcheck) d_.health().watch(id, *e->c.settings.healthcheck);
            }
        }
        if (!adopted && (st.running() || st.status == ContainerStatus::removing)) {
            // It ended while we were away: its monitor left the exit record.
            auto rec = read_exit_record(p.state_dir);
            if (rec && *rec) {
                st.exit_code = (*rec)->exit_code;
                st.oom_killed = (*rec)->oom_killed;
                st.finished_at = (*rec)->finished_at;
            } else if (st.status != ContainerStatus::restarting) {
                st.exit_code = 255;
                st.error = "the container's monitor exited without recording an exit code";
                st.finished_at = rfc3339_now();
            }
            st.finished_at_ns = parse_rfc3339_nanos(st.finished_at).value_or(now_ns());
            bool was_removing = st.status == ContainerStatus::removing;
            st.status = was_removing ? ContainerStatus::dead : ContainerStatus::exited;
            st.pid = st.monitor_pid = 0;
            forget_addresses(e->c);
            unmount_rootfs(id);
            (void)runtime::delete_container(runtime_root(), id, true);
            std::lock_guard lock(mu_);
            (void)persist_locked(e->c);
        }
        if (!adopted && !e->c.manually_stopped && !e->c.settings.auto_remove &&
            (e->c.settings.restart.name == "always" ||
             (e->c.settings.restart.name == "unless-stopped" && e->c.has_been_started)))
            to_start.push_back(e);
        std::lock_guard lock(mu_);
        entries_[id] = e;
        names_[e->c.name] = id;
    }
    for (auto& e : to_start) {
        if (!e->c.has_been_started) continue;
        std::lock_guard op(e->op);
        if (auto r = start_locked(*e); !r)
            log::warn(cat("starting container ", e->c.id, " (restart policy): ", r.error().message));
    }
    // Auto-remove containers that ended while the daemon was away.
    for (const auto& c : list())
        if (c.settings.auto_remove && !c.state.running())
            if (auto e = entry(c.id)) {
                std::lock_guard op((*e)->op);
                (void)remove_locked(**e, false);
            }
    return {};
}

}  // namespace berth::engine

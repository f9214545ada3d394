#include "engine/daemon.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <random>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "base/strings.hpp"

namespace berth::engine {

namespace {

// Locks the pidfile and writes our pid: two daemons on one exec root would fight
// over the same sockets and state.
Result<UniqueFd> take_pidfile(const std::string& path) {
    auto fd = BERTH_TRY(open_fd(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        if (err != EWOULDBLOCK) return sys_fail("lock pidfile " + path, err);
        auto other = read_file(path);
        return fail("pid file found, ensure berthd is not running or delete " + path +
                    (other && !other->empty() ? " (held by pid " + std::string(trim(*other)) + ")"
                                              : ""));
    }
    std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd.get(), 0) != 0 || pwrite(fd.get(), pid.data(), pid.size(), 0) < 0)
        return sys_fail("write pidfile " + path);
    return fd;
}

// Docker's engine ID is a random identity kept under the data root.
Result<std::string> engine_id(const std::string& data_root) {
    auto path = path_join(data_root, "engine-id");
    if (auto have = read_file(path); have && !trim(*have).empty()) return std::string(trim(*have));
    std::random_device rd;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 32; ++i) id += kHex[rd() % 16];
    BERTH_TRYV(write_file_atomic(path, id + "\n", 0600));
    return id;
}

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::open(DaemonConfig cfg) {
    std::unique_ptr<Daemon> d(new Daemon());
    BERTH_TRYV_CTX(mkdir_p(cfg.data_root, 0711), "create data root " + cfg.data_root);
    BERTH_TRYV_CTX(mkdir_p(cfg.exec_root, 0711), "create exec root " + cfg.exec_root);
    d->pidfile_ = BERTH_TRY(take_pidfile(cfg.pidfile_path()));
    d->images_ = BERTH_TRY(image::ImageStore::open(path_join(cfg.data_root, "image")));
    d->id_ = BERTH_TRY(engine_id(cfg.data_root));
    cfg.network.state_dir = path_join(cfg.data_root, "network");
    d->networks_ = BERTH_TRY(with_context(network::NetworkService::open(cfg.network), "setting up networking"));
    d->containers_ = std::make_unique<ContainerService>(*d);
    d->execs_ = std::make_unique<ExecService>(*d);
    d->health_ = std::make_unique<HealthChecker>(*d);
    d->started_at_ = static_cast<std::int64_t>(time(nullptr));
    d->cfg_ = std::move(cfg);
    BERTH_TRYV_CTX(d->containers_->restore(), "restoring containers");
    // Containers readopted above published their ports again.
    if (auto r = d->networks_->sync_firewall(); !r) log::warn(cat("restoring published ports: ", r.error().message));
    return d;
}

Daemon::~Daemon() {
    // The watcher and restart jobs call into the health checker and exec service:
    // stop them before any member goes.
    if (containers_) containers_->shutdown();
    if (pidfile_) ::unlink(cfg_.pidfile_path().c_str());
}

}  // namespace berth::engine

// The daemon's containers: create, start, stop, kill, pause, wait, remove, attach,
// and what happens when a container's monitor reports an exit (auto-remove, restart
// policy). One process-wide instance, owned by the Daemon; every method is safe to
// call from any API thread.
//
// Locking: `mu_` guards the table (entries, names) and every container's record;
// each entry's `op` mutex serialises the slow operations on one container (start,
// stop, remove), taken before `mu_` and never while waiting for `mu_`'s condition.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "engine/container.hpp"
#include "image/image_store.hpp"
#include "network/network_service.hpp"

namespace berth::engine {

class Daemon;

struct CreateResult {
    std::string id;
    std::vector<std::string> warnings;
};

enum class WaitCondition { not_running, next_exit, removed };

struct WaitResult {
    int status_code = 0;
    std::string error;  // empty: none
};

// The streams a client attaches to; the socket speaks the monitor's protocol
// (stdcopy frames out, raw stdin in).
struct AttachRequest {
    bool in = false, out = true, err = true;
};

class ContainerService {
  public:
    explicit ContainerService(Daemon& d);
    ~ContainerService();
    ContainerService(const ContainerService&) = delete;
    ContainerService& operator=(const ContainerService&) = delete;

    // Loads every container from the data root and reconciles it with what runs:
    // monitors still alive are adopted, dead ones recorded as exited, stray mounts
    // unmounted; then restart policies bring back what should run.
    Result<void> restore();
    // Stops watching monitors (the containers keep running).
    void shutdown();

    Result<CreateResult> create(const Json& body, const std::string& name);
    // false: it was already running (the API answers 304).
    Result<bool> start(const std::string& ref);
    // false: it was not running (304). `timeout` seconds before SIGKILL; nullopt:
    // the container's stop timeout (default 10), negative: wait forever.
    Result<bool> stop(const std::string& ref, std::optional<int> timeout);
    Result<void> kill(const std::string& ref, const std::string& signal);
    Result<void> restart(const std::string& ref, std::optional<int> timeout);
    Result<void> pause(const std::string& ref);
    Result<void> unpause(const std::string& ref);
    // Registers the wait at once (so a start that follows is not missed) and returns
    // what blocks until the condition holds.
    Result<std::function<WaitResult()>> wait(const std::string& ref, WaitCondition cond);
    Result<void> remove(const std::string& ref, bool force, bool volumes);
    Result<void> rename(const std::string& ref, const std::string& new_name);
    // POST /networks/{id}/connect and /disconnect: a running container is plumbed at
    // once; a stopped one joins (or leaves) at its next start. `endpoint_config` is
    // Docker's EndpointSettings (null: none).
    Result<void> connect(const std::string& ref, const std::string& network_ref, const Json& endpoint_config);
    Result<void> disconnect(const std::string& ref, const std::string& network_ref, bool force);
    // Removes stopped containers `keep` does not spare; IDs removed and bytes freed.
    Result<std::pair<std::vector<std::string>, std::int64_t>> prune(
        const std::function<bool(const Container&)>& keep);
    // Applies a POST /update body; warnings for the client.
    Result<std::vector<std::string>> update(const std::string& ref, const Json& body);

    // A connection to the container's output (and stdin). The attach is registered
    // at once; the function returned blocks until it is connected: a created
    // container is attached when it starts, before its process runs, so a client
    // that attaches and then starts it sees every byte.
    Result<std::function<Result<UniqueFd>()>> attach(const std::string& ref, const AttachRequest& req);
    Result<void> resize(const std::string& ref, int height, int width);

    // Copies, for reading without holding the lock.
    Result<Container> get(const std::string& ref) const;
    std::vector<Container> list() const;
    // Resolves a full ID, a name or a unique ID prefix to the full ID.
    Result<std::string> resolve(const std::string& ref) const;
    ContainerPaths paths(const std::string& id) const;
    std::string runtime_root() const;
    // A container (the first found) using image `image_id`, for rmi's check.
    std::optional<image::ImageUse> image_use(const std::string& image_id) const;
    int count_using(const std::string& image_id) const;
    // Bytes in the container's writable layer (`size` of list/inspect).
    std::int64_t size_rw(const std::string& id) const;
    // Runs `fn` on a copy of the container's record with its op lock held: no
    // start, stop, pause or remove of it runs meanwhile, so the filesystem
    // endpoints may mount a stopped container's layers (defined in container_fs.cpp).
    Result<void> with_op_held(const std::string& ref, const std::function<Result<void>(const Container&)>& fn);

    // Records a healthcheck probe's result (HealthChecker): log, streak, status,
    // and a health_status event when the status changes.
    void record_health(const std::string& id, const HealthLogEntry& entry, int retries, bool in_start_period);

    // Publishes a container event with its image and name (and labels) as attributes.
    void publish(const Container& c, const std::string& action,
                 std::map<std::string, std::string> extra = {});

  private:
    struct PendingAttach;
    struct Entry;

    Result<std::shared_ptr<Entry>> entry(const std::string& ref) const;
    Result<std::string> resolve_locked(const std::string& ref) const;
    Result<void> persist_locked(const Container& c);
    Result<void> start_locked(Entry& e);  // with e.op held
    Result<void> mount_rootfs(const Container& c);
    void unmount_rootfs(const std::string& id);
    Result<bool> stop_locked(Entry& e, std::optional<int> timeout, bool manual);
    // Waits until the container is no longer running; false on timeout (ms, -1 forever).
    bool wait_not_running(Entry& e, int timeout_ms);
    Result<void> signal_locked(Entry& e, int sig);
    Result<void> remove_locked(Entry& e, bool force);
    void fail_pending_attaches(Entry& e, const Error& err);

    // Networking (container_network.cpp).
    // Fills c.networks from NetworkMode and NetworkingConfig at create; warnings.
    Result<std::vector<std::string>> init_networks(Container& c);
    std::string primary_name(const Container& c);
    network::SandboxRequest sandbox_request(const Container& c);
    void record_sandbox(Container& c, const std::vector<network::Endpoint>& endpoints,
                        const std::vector<network::PublishedPort>& ports);
    // "connect" at a start, "disconnect" at an exit, for each network joined.
    void publish_network_events(const Container& c, const std::string& action);
    // After an exit: addresses and ports go, what the user asked stays.
    void forget_addresses(Container& c);
    // Readopts the sandbox of a container found running at daemon start.
    Result<void> restore_sandbox(const Container& c);

    // Monitor watching (container_watch.cpp).
    void watch(const std::string& id, UniqueFd monitor_pidfd);
    void watch_loop();
    void on_monitor_exit(const std::string& id);
    void after_exit(const std::shared_ptr<Entry>& e, std::int64_t ran_ns);  // auto-remove, restart policy
    // Runs `job` on its own thread; shutdown waits for every job to end.
    void spawn_job(std::function<void()> job);

    Daemon& d_;
    mutable std::mutex mu_;
    std::condition_variable cv_;  // any state change
    std::map<std::string, std::shared_ptr<Entry>> entries_;
    std::map<std::string, std::string> names_;  // name -> id

    UniqueFd epoll_, wake_;
    std::map<std::uint64_t, std::pair<std::string, UniqueFd>> watched_;  // token -> (id, pidfd)
    std::uint64_t next_token_ = 1;
    std::thread watcher_;
    bool stopping_ = false;
    int jobs_ = 0;  // spawn_job threads still running
};

}  // namespace berth::engine

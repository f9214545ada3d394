// berthd's side of berth-monitor (docs/monitor.md): spawning a container's
// monitor, and talking to it over <state-dir>/monitor.sock, also after a berthd
// restart (the monitor outlives us).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"

namespace berth::engine {

struct MonitorLog {
    std::string path;
    std::int64_t max_size = 0;  // bytes; 0: unlimited
    int max_file = 1;
};

struct MonitorSpec {
    std::string state_dir, id, bundle, runtime_root;
    bool tty = false, open_stdin = false, stdin_once = false;
    std::optional<MonitorLog> log;
};

struct ExitRecord {
    int exit_code = 0;
    int signal = 0;
    bool oom_killed = false;
    std::string finished_at;
};

// A spawned monitor whose container is created but not yet started. Destroyed
// without a successful start(): the monitor deletes the container (or records
// the failed start's exit) and exits, and is reaped here (waiting up to 10 s).
// After a successful start() the caller reaps the monitor when it exits
// (reap_monitor, or waitid P_PIDFD once pidfd() is readable).
class MonitorProcess {
  public:
    MonitorProcess(MonitorProcess&&) = default;
    MonitorProcess& operator=(MonitorProcess&&) = default;
    ~MonitorProcess();

    pid_t pid() const { return pid_; }
    int pidfd() const { return pidfd_.get(); }  // the monitor's, for the daemon's watcher
    pid_t container_pid() const { return container_pid_; }
    // Sends "start" and waits for the answer. The error of a failed start has
    // the monitor's kind (not_found for a missing executable); the monitor then
    // records the exit and cleans up on its own.
    Result<void> start();

  private:
    friend Result<MonitorProcess> spawn_monitor(const std::string&, const MonitorSpec&);
    MonitorProcess(pid_t pid, UniqueFd pidfd, UniqueFd sync)
        : pid_(pid), pidfd_(std::move(pidfd)), sync_(std::move(sync)) {}
    pid_t pid_ = 0;
    UniqueFd pidfd_;
    UniqueFd sync_;
    pid_t container_pid_ = 0;
    bool started_ = false;
};

// Writes <state_dir>/monitor.json, spawns `monitor_binary <state_dir>` (sync
// socket on fd 3, stdin /dev/null, stdout/stderr appended to
// <state_dir>/monitor.log, nothing else inherited) and waits for "created".
Result<MonitorProcess> spawn_monitor(const std::string& monitor_binary, const MonitorSpec& spec);

// Reaps the monitor if it has exited (waitid WNOHANG); true when reaped (or not
// our child any more).
bool reap_monitor(pid_t pid);

// A connection with the attach request sent; what follows are stdcopy frames
// (monitor/protocol.hpp); bytes written go to the container's stdin.
Result<UniqueFd> monitor_attach(const std::string& state_dir, bool in, bool out, bool err);
Result<void> monitor_resize(const std::string& state_dir, int height, int width);

struct ExecRequest {
    Json process;  // an OCI process object as in config.json
    bool tty = false, stdin = false;
};
struct ExecStream {
    UniqueFd sock;  // frames; the last one is stream 3 with {"exit_code": N}
    pid_t pid = 0;
};
Result<ExecStream> monitor_exec(const std::string& state_dir, const ExecRequest& req);
Result<void> monitor_exec_resize(const std::string& state_dir, pid_t pid, int h, int w);

// nullopt: no exit.json yet.
Result<std::optional<ExitRecord>> read_exit_record(const std::string& state_dir);
// Connects and asks for the state: false when no monitor answers (it may still
// be finishing an exited container: read_exit_record tells).
bool monitor_alive(const std::string& state_dir);

// $<env_override> when set; else `name` next to /proc/self/exe; else on $PATH.
Result<std::string> find_helper_binary(const std::string& name, const char* env_override);

}  // namespace berth::engine

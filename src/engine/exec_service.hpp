// `docker exec`: sessions created against a running container, started once,
// attached (hijacked stream) or detached, with their exit code kept for inspect.
// The process itself is spawned by the container's monitor (berthd never forks).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "engine/monitor_client.hpp"

namespace berth::engine {

class Daemon;

struct ExecConfig {
    std::vector<std::string> cmd, env;
    std::string user, working_dir, detach_keys;
    bool tty = false, attach_stdin = false, attach_stdout = false, attach_stderr = false;
    bool privileged = false;
    std::optional<std::pair<int, int>> console_size;  // height, width
};

struct ExecInfo {
    std::string id, container_id;
    ExecConfig config;
    bool running = false, started = false;
    std::optional<int> exit_code;
    pid_t pid = 0;
};

class ExecService {
  public:
    explicit ExecService(Daemon& d) : d_(d) {}
    // Ends the background drains (their processes run on in the containers).
    ~ExecService();
    ExecService(const ExecService&) = delete;
    ExecService& operator=(const ExecService&) = delete;

    // POST /containers/{id}/exec: checks the container runs (and isn't paused).
    Result<std::string> create(const std::string& container_ref, const Json& body);
    // Spawns the process through the monitor; the stream carries its output frames
    // and takes its stdin. `finished` records the exit code (from the monitor's
    // control frame) and publishes exec_die.
    struct Started {
        ExecStream stream;
        ExecInfo info;
    };
    Result<Started> start(const std::string& exec_id);
    void finished(const std::string& exec_id, std::optional<int> exit_code);
    // Reads the stream to its end in the background (detached exec, or a client
    // that left): the process's exit code still gets recorded.
    void drain_in_background(const std::string& exec_id, UniqueFd stream);
    Result<ExecInfo> get(const std::string& exec_id) const;
    Result<void> resize(const std::string& exec_id, int height, int width);
    // Runs `cmd` in the container to its end and returns exit code and output
    // (healthchecks); kills it after `timeout_ms`.
    struct RunResult {
        int exit_code = -1;
        std::string output;
        bool timed_out = false;
    };
    Result<RunResult> run(const std::string& container_id, const std::vector<std::string>& cmd, int timeout_ms);

  private:
    Result<Json> process_json(const std::string& container_id, const ExecConfig& cfg);

    Daemon& d_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::string, ExecInfo> sessions_;
    std::vector<int> draining_;  // sockets drain threads read, shut down at destruction
    bool stopping_ = false;
};

// Parses the exit-code control frame the monitor sends ({"exit_code": N}).
std::optional<int> parse_exit_frame(std::string_view payload);

}  // namespace berth::engine

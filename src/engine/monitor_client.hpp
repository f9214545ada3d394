// TEMPORARY interface copy until the monitor branch merges.
#pragma once
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>
#include "base/json.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"
namespace berth::engine {
struct MonitorLog { std::string path; std::int64_t max_size = 0; int max_file = 1; };
struct MonitorSpec { std::string state_dir, id, bundle, runtime_root; bool tty=false, open_stdin=false, stdin_once=false; std::optional<MonitorLog> log; };
struct ExitRecord { int exit_code = 0; int signal = 0; bool oom_killed = false; std::string finished_at; };
class MonitorProcess {
  public:
    pid_t pid() const; int pidfd() const; pid_t container_pid() const;
    Result<void> start();
};
Result<MonitorProcess> spawn_monitor(const std::string& monitor_binary, const MonitorSpec& spec);
Result<UniqueFd> monitor_attach(const std::string& state_dir, bool in, bool out, bool err);
Result<void> monitor_resize(const std::string& state_dir, int height, int width);
struct ExecRequest { Json process; bool tty=false, stdin=false; };
struct ExecStream { UniqueFd sock; pid_t pid; };
Result<ExecStream> monitor_exec(const std::string& state_dir, const ExecRequest& req);
Result<void> monitor_exec_resize(const std::string& state_dir, pid_t pid, int h, int w);
Result<std::optional<ExitRecord>> read_exit_record(const std::string& state_dir);
bool monitor_alive(const std::string& state_dir);
Result<std::string> find_helper_binary(const std::string& name, const char* env_override);
}

// The per-container monitor (berth-monitor, docs/monitor.md): creates the
// container as its child, holds its stdio, writes its json-file log, serves
// attach/exec/resize/state on <state-dir>/monitor.sock, reaps it and records its
// exit in <state-dir>/exit.json, then deletes it. Single-threaded: one poll loop.
#pragma once

#include <string>

namespace berth::monitor {

// Runs the monitor for `state_dir`; `sync_fd` is the connected socket to the
// spawner. Returns the process's exit code.
int run_monitor(const std::string& state_dir, int sync_fd);

}  // namespace berth::monitor

// berth-monitor <state-dir>: one per container, outliving berthd (docs/monitor.md).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "monitor/monitor.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: berth-monitor <state-dir> (with the sync socket on fd 3)\n");
        return 2;
    }
    // Our own session: the spawner's terminal and process group are not ours, and
    // its death must not reach us.
    ::setsid();
    for (int sig : {SIGPIPE, SIGHUP, SIGINT}) ::signal(sig, SIG_IGN);
    return berth::monitor::run_monitor(argv[1], 3);
}

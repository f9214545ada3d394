// berthd's command line: flags as dockerd names them, then serve until SIGTERM/SIGINT.
#pragma once

namespace berth::cli {

int berthd_main(int argc, char** argv);

}  // namespace berth::cli

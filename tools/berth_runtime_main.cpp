// berth-runtime: the OCI runtime with runc's command line. Kept thin: the command
// line lives in src/cli/runtime/, the work in src/runtime/.
#include "cli/runtime/runtime_cli.hpp"

int main(int argc, char** argv) {
    return berth::cli::runtime_main(argc, argv);
}

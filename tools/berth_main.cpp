// berth: the docker-compatible CLI of berthd. Kept thin: the command line lives in
// src/cli/berth/.
#include "cli/berth/berth_cli.hpp"

int main(int argc, char** argv) {
    return berth::cli::berth_main(argc, argv);
}

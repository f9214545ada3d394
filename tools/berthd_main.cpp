// berthd: the daemon serving the Docker Engine API (see cli/berthd/berthd_cli.cpp).
#include "cli/berthd/berthd_cli.hpp"

int main(int argc, char** argv) { return berth::cli::berthd_main(argc, argv); }

// The berth command line: global flags, command lookup, help and exit codes as the
// docker CLI has them.
#pragma once

#include <string>
#include <vector>

#include "cli/berth/command.hpp"

namespace berth::cli {

// Runs `berth args...` (args without the program name). `env_host` is $BERTH_HOST
// ("" when unset). Exit codes as docker's: 0, 1 for a failed command or a wrong
// number of arguments, 125 for a flag error.
int run_berth(const std::vector<std::string>& args, const std::string& env_host, Io io);

// main() of the berth binary.
int berth_main(int argc, char** argv);

}  // namespace berth::cli

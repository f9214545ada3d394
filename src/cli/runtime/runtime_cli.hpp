#pragma once

namespace berth::cli {

// Parses runc-style arguments and runs the command; returns the process exit code.
int runtime_main(int argc, char** argv);

}  // namespace berth::cli

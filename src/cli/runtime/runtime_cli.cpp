#include "cli/runtime/runtime_cli.hpp"

namespace berth::cli {

int runtime_main(int, char**) { return 1; }

}  // namespace berth::cli

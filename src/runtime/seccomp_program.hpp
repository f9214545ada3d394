// A seccomp filter compiled to BPF ahead of time. Turning a profile into BPF with
// libseccomp costs milliseconds (Docker's default profile: ~6 ms here), which a
// container start can't afford twice; so the runtime compiles before it clones
// the init (the child inherits the program) and keeps each program in a cache
// under its state root, keyed by the profile's full text, the architecture and
// the libseccomp version. The init then only loads the instructions.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::runtime {

struct SeccompProgram {
    std::vector<sock_filter> insns;
    unsigned int flags = 0;  // SECCOMP_FILTER_FLAG_* for seccomp(2)
    bool uses_notify = false;
};

// The program for `s`, from `cache_dir` when an identical profile was compiled
// before, else compiled (and stored there; "" for no cache). Errors are those
// of building the filter: a bad profile fails here, before any process exists.
Result<SeccompProgram> compile_seccomp(const oci::Seccomp& s, const std::string& cache_dir);

// Loads the program into the calling thread's process (seccomp(2)); returns the
// notify listener fd (close-on-exec) when it uses SCMP_ACT_NOTIFY, else -1.
Result<int> load_seccomp_program(const SeccompProgram& p);

}  // namespace berth::runtime

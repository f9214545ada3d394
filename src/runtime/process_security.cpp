#include "runtime/process_security.hpp"

namespace berth::runtime {

Result<int> apply_process_security(const oci::Process&, const oci::Seccomp*) {
    return fail("apply process security: not implemented yet");
}

}  // namespace berth::runtime

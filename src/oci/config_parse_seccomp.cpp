// config.json "linux.seccomp" (config-linux.md, "Seccomp"). Only types are checked
// here; names of actions, operators, architectures and syscalls are checked by
// runtime::validate_seccomp, which knows what libseccomp supports.
#include "oci/config_parse_internal.hpp"

namespace berth::oci::detail {

namespace {

Result<SeccompArg> parse_seccomp_arg(const JsonNode& n) {
    SeccompArg a;
    BERTH_TRYV(get(n, "index", a.index));
    BERTH_TRYV(get(n, "value", a.value));
    BERTH_TRYV(get(n, "valueTwo", a.value_two));
    BERTH_TRYV(get(n, "op", a.op));
    return a;
}

Result<SeccompSyscall> parse_seccomp_syscall(const JsonNode& n) {
    SeccompSyscall s;
    BERTH_TRYV(get(n, "names", s.names));
    BERTH_TRYV(get(n, "action", s.action));
    BERTH_TRYV(get(n, "errnoRet", s.errno_ret));
    BERTH_TRYV(get_array(n, "args", s.args, parse_seccomp_arg));
    return s;
}

}  // namespace

Result<Seccomp> parse_seccomp_object(const JsonNode& n) {
    Seccomp s;
    BERTH_TRYV(get(n, "defaultAction", s.default_action));
    BERTH_TRYV(get(n, "defaultErrnoRet", s.default_errno_ret));
    BERTH_TRYV(get(n, "architectures", s.architectures));
    BERTH_TRYV(get(n, "flags", s.flags));
    BERTH_TRYV(get(n, "listenerPath", s.listener_path));
    BERTH_TRYV(get(n, "listenerMetadata", s.listener_metadata));
    BERTH_TRYV(get_array(n, "syscalls", s.syscalls, parse_seccomp_syscall));
    return s;
}

}  // namespace berth::oci::detail

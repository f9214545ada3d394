#include "oci/config.hpp"

namespace berth::oci {

const char* namespace_type_name(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid:
            return "pid";
        case NamespaceType::network:
            return "network";
        case NamespaceType::mount:
            return "mount";
        case NamespaceType::ipc:
            return "ipc";
        case NamespaceType::uts:
            return "uts";
        case NamespaceType::user:
            return "user";
        case NamespaceType::cgroup:
            return "cgroup";
        case NamespaceType::time:
            return "time";
    }
    return "?";
}

}  // namespace berth::oci

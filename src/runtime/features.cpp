#include "runtime/features.hpp"

#include <seccomp.h>

#include "runtime/cgroup.hpp"
#include "runtime/process_security.hpp"

namespace berth::runtime {

Json features_json() {
    Json mount_options = {
        "acl",         "async",      "atime",     "bind",       "defaults",      "dev",
        "diratime",    "dirsync",    "exec",      "iversion",   "lazytime",      "loud",
        "mand",        "noacl",      "noatime",   "nodev",      "nodiratime",    "noexec",
        "noiversion",  "nolazytime", "nomand",    "norelatime", "nostrictatime", "nosuid",
        "nosymfollow", "private",    "rbind",     "rdev",       "rdiratime",     "relatime",
        "remount",     "ro",         "rprivate",  "rshared",    "rslave",        "runbindable",
        "rw",          "shared",     "silent",    "slave",      "strictatime",   "suid",
        "symfollow",   "sync",       "tmpcopyup", "unbindable"};
    const scmp_version* v = seccomp_version();
    Json j = {
        {"ociVersionMin", "1.0.0"},
        {"ociVersionMax", "1.2.0"},
        {"hooks",
         {"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
          "poststop"}},
        {"mountOptions", mount_options},
        {"linux",
         {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}},
          {"capabilities", known_capabilities()},
          {"cgroup",
           {{"v1", true},
            {"v2", true},
            {"systemd", false},
            {"systemdUser", false},
            {"rdma", false}}},
          {"seccomp",
           {{"enabled", true},
            {"actions", known_seccomp_actions()},
            {"operators", known_seccomp_operators()},
            {"archs", known_seccomp_architectures()},
            {"knownFlags", known_seccomp_flags()},
            {"supportedFlags", known_seccomp_flags()}}},
          {"apparmor", {{"enabled", false}}},
          {"selinux", {{"enabled", false}}},
          {"intelRdt", {{"enabled", false}}},
          {"mountExtensions", {{"idmap", {{"enabled", false}}}}}}},
        {"annotations",
         {{"org.opencontainers.runtime-spec.features.berth.version", BERTH_VERSION},
          {"io.github.seccomp.libseccomp.version", std::to_string(v->major) + "." +
                                                       std::to_string(v->minor) + "." +
                                                       std::to_string(v->micro)}}},
    };
    return j;
}

}  // namespace berth::runtime

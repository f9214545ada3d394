// config.json mount options -> mount(2) flags, the same vocabulary mount(8) and runc
// accept. Anything that is not a flag is filesystem data ("size=64m", "mode=755").
#include <sys/mount.h>

#include <array>
#include <string_view>

#include "runtime/rootfs.hpp"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256  // linux/mount.h, since 5.10; older glibc lacks it
#endif

namespace berth::runtime {
namespace {

struct FlagOption {
    std::string_view name;
    bool clear;  // "rw", "suid", ...: the option removes the flag
    unsigned long flag;
};

constexpr std::array kFlagOptions{
    FlagOption{"defaults", false, 0},
    FlagOption{"ro", false, MS_RDONLY},
    FlagOption{"rw", true, MS_RDONLY},
    FlagOption{"nosuid", false, MS_NOSUID},
    FlagOption{"suid", true, MS_NOSUID},
    FlagOption{"nodev", false, MS_NODEV},
    FlagOption{"dev", true, MS_NODEV},
    FlagOption{"noexec", false, MS_NOEXEC},
    FlagOption{"exec", true, MS_NOEXEC},
    FlagOption{"sync", false, MS_SYNCHRONOUS},
    FlagOption{"async", true, MS_SYNCHRONOUS},
    FlagOption{"dirsync", false, MS_DIRSYNC},
    FlagOption{"remount", false, MS_REMOUNT},
    FlagOption{"mand", false, MS_MANDLOCK},
    FlagOption{"nomand", true, MS_MANDLOCK},
    FlagOption{"atime", true, MS_NOATIME},
    FlagOption{"noatime", false, MS_NOATIME},
    FlagOption{"diratime", true, MS_NODIRATIME},
    FlagOption{"nodiratime", false, MS_NODIRATIME},
    FlagOption{"relatime", false, MS_RELATIME},
    FlagOption{"norelatime", true, MS_RELATIME},
    FlagOption{"strictatime", false, MS_STRICTATIME},
    FlagOption{"nostrictatime", true, MS_STRICTATIME},
    FlagOption{"lazytime", false, MS_LAZYTIME},
    FlagOption{"nolazytime", true, MS_LAZYTIME},
    FlagOption{"iversion", false, MS_I_VERSION},
    FlagOption{"noiversion", true, MS_I_VERSION},
    FlagOption{"silent", false, MS_SILENT},
    FlagOption{"loud", true, MS_SILENT},
    FlagOption{"nosymfollow", false, MS_NOSYMFOLLOW},
    FlagOption{"symfollow", true, MS_NOSYMFOLLOW},
};

struct PropagationOption {
    std::string_view name;
    unsigned long flags;
};

constexpr std::array kPropagationOptions{
    PropagationOption{"private", MS_PRIVATE},
    PropagationOption{"rprivate", MS_PRIVATE | MS_REC},
    PropagationOption{"shared", MS_SHARED},
    PropagationOption{"rshared", MS_SHARED | MS_REC},
    PropagationOption{"slave", MS_SLAVE},
    PropagationOption{"rslave", MS_SLAVE | MS_REC},
    PropagationOption{"unbindable", MS_UNBINDABLE},
    PropagationOption{"runbindable", MS_UNBINDABLE | MS_REC},
};

// The three atime modes exclude each other in the kernel (do_mount keeps one), so
// choosing one drops the others, as mount(8) does.
constexpr unsigned long kAtimeModes = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

void apply_flag(MountOptions& o, const FlagOption& f) {
    if (f.clear) {
        o.flags &= ~f.flag;
        o.clear_flags |= f.flag;
        return;
    }
    if (f.flag & kAtimeModes) {
        o.flags &= ~kAtimeModes;
        o.clear_flags |= kAtimeModes & ~f.flag;
    }
    o.flags |= f.flag;
    o.clear_flags &= ~f.flag;
}

bool apply_known(MountOptions& o, std::string_view opt) {
    for (const auto& f : kFlagOptions) {
        if (f.name == opt) {
            apply_flag(o, f);
            return true;
        }
    }
    for (const auto& p : kPropagationOptions) {
        if (p.name == opt) {
            o.propagation = p.flags;
            return true;
        }
    }
    if (opt == "bind" || opt == "rbind") {
        o.bind = true;
        o.recursive = opt == "rbind";
        return true;
    }
    if (opt == "tmpcopyup") {
        o.tmpcopyup = true;
        return true;
    }
    return false;
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
    MountOptions o;
    for (const auto& opt : options) {
        if (opt.empty() || apply_known(o, opt)) continue;
        if (!o.data.empty()) o.data += ',';
        o.data += opt;
    }
    return o;
}

}  // namespace berth::runtime

// The device cgroup rules a container really gets: the config's own, then the
// devices every container needs (/dev/null, zero, full, random, urandom, tty,
// console, ptmx, pts/*, net/tun, and mknod of anything). Later rules win, so a
// config's deny-all (runc's default spec) still leaves /dev usable, as with runc.
// linux.devices are not added: as with runc, a node needs its own allow rule.
#pragma once

#include "oci/config.hpp"

namespace berth::runtime {

oci::Resources effective_resources(const oci::Linux& l);

}  // namespace berth::runtime

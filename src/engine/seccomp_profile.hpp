// Docker's seccomp profile format (defaultAction, archMap, syscalls with
// includes/excludes by capability, architecture and kernel) turned into the OCI
// linux.seccomp a container runs with, as dockerd's profiles/seccomp does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"
#include "oci/config.hpp"

namespace berth::engine {

// `effective_caps` are "CAP_*" names (the container's bounding set); a rule whose
// includes.caps are not all there, or whose excludes.caps has one, is left out.
// `host_arch` uses libseccomp's native names as Docker does ("amd64", "arm64",
// "x86", "x32", "ppc64le", "s390x", "riscv64"); `kernel_release` ("6.1.0-13-amd64")
// gates includes.minKernel, empty meaning this host's.
Result<oci::Seccomp> seccomp_from_docker_profile(const Json& profile,
                                                 const std::vector<std::string>& effective_caps,
                                                 std::string_view host_arch,
                                                 std::string_view kernel_release = {});

// Docker's default profile, compiled in from src/engine/docker-default-seccomp.json.
const Json& default_seccomp_profile();

// The value of a "seccomp=<value>" security option other than "unconfined": the
// docker CLI sends a profile's JSON content; berth also takes a file path.
Result<Json> seccomp_profile_of_option(std::string_view value);

// This host's architecture in the names above (from uname).
std::string host_seccomp_arch();

}  // namespace berth::engine

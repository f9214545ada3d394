// Platforms ("linux/arm64/v8") and how they match: which image of a multi-platform
// index runs on this host (OCI image-spec image-index.md, "platform"; values are
// Go's GOOS/GOARCH, variants from the spec's Platform Variants table).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace berth::image {

struct Platform {
    std::string architecture;  // GOARCH: "amd64", "arm64", "arm", "386", "ppc64le"...
    std::string os;            // GOOS: "linux", "windows"
    std::string variant;       // "v7", "v8"; "" when the architecture has none
    std::string os_version;    // Windows builds only ("10.0.17763.1")
    std::vector<std::string> os_features;

    // "linux/arm64/v8", "linux/amd64"
    std::string str() const;
    friend bool operator==(const Platform&, const Platform&) = default;
};

// The platform for a uname(2) machine name on Linux: x86_64 -> amd64, aarch64 ->
// arm64/v8, armv7l -> arm/v7, i686 -> 386... Unknown names pass through.
Platform platform_for_machine(std::string_view machine);
// This host's platform (uname, computed once).
const Platform& host_platform();

// Spells a platform the canonical way: aliases ("x86_64", "aarch64", "armhf") to
// GOARCH names, "7" to "v7", and the default variants made explicit (arm64 -> v8,
// arm -> v7, as containerd does), so that equal platforms compare equal.
Platform normalize_platform(Platform p);

// Parses "os[/arch[/variant]]" as `docker --platform` does: a lone "arm64" is an
// architecture for this host's OS; a lone "linux" is an OS on this host's
// architecture. The result is normalised.
Result<Platform> parse_platform(std::string_view text);

// Whether an image built for `have` runs where `want` is asked for: same OS and
// architecture, and a variant that is equal or, for arm, older (a v7 CPU runs v6
// code). A `want` without variant accepts any variant. os_version is compared
// only when `want` names one.
bool platform_matches(const Platform& want, const Platform& have);

// How well `have` fits `want`, lower is better: 0 for an exact match, more for
// compatible ones (an older arm variant); -1 when it does not match at all.
int platform_match_rank(const Platform& want, const Platform& have);

}  // namespace berth::image

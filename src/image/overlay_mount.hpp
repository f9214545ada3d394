// A container's root filesystem: an overlayfs whose lower layers are the image's
// layer snapshots (each unpacked once, in overlay format: whiteouts are 0/0 char
// devices, opaque directories carry trusted.overlay.opaque=y) and whose upper and
// work directories belong to the container.
//
// How the layers reach the kernel (docs/overlay-mounts.md has the longer story):
//  1. Linux >= 6.8: fsopen("overlay") and one fsconfig "lowerdir+" per layer. No
//     string joining, no escaping, no length limit on the stack; only each value is
//     capped (fsconfig copies at most 255 bytes), so a longer path is passed as
//     /proc/self/fd/N of an O_PATH descriptor, which overlayfs resolves at once.
//  2. Older kernels (Debian 12 runs 6.1): mount(2) with one "lowerdir=a:b:c" option
//     string, which the kernel copies into a single page (4095 bytes and a NUL).
//     When the real paths don't fit, every layer is named /proc/self/fd/N instead
//     (~18 bytes a layer, room for ~220 layers); when even that doesn't fit, the
//     mount fails with an error naming the layer count and the limit. chdir to
//     shorten paths is never used: it is process-wide and berthd is multi-threaded.
// Options are lowerdir/upperdir/workdir plus index=off, redirect_dir=off and
// metacopy=off, whatever the kernel's defaults: they keep the upper directory a
// plain layer diff (files, whiteouts, opaque dirs) that commit and diff can read.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace berth::image {

// overlayfs refuses more lower layers than this (OVL_MAX_STACK in fs/overlayfs).
inline constexpr size_t kMaxOverlayLowers = 500;

struct OverlaySpec {
    std::vector<std::string> lower_dirs;  // absolute; base layer first, as an image lists them
    std::string upper_dir, work_dir;      // both empty: a read-only overlay of the lowers
};

// A mounted overlay; unmounts it (MNT_DETACH) on destruction unless released.
class OverlayMount {
  public:
    OverlayMount() = default;
    // Takes charge of an overlay already mounted at `target`.
    explicit OverlayMount(std::string target) : target_(std::move(target)) {}
    OverlayMount(const OverlayMount&) = delete;
    OverlayMount& operator=(const OverlayMount&) = delete;
    OverlayMount(OverlayMount&& o) noexcept : target_(std::exchange(o.target_, {})) {}
    OverlayMount& operator=(OverlayMount&& o) noexcept;
    ~OverlayMount();

    // Keeps the overlay mounted after this handle is gone (the container owns it now).
    void release() { target_.clear(); }
    // Where the overlay is mounted; empty once released or unmounted.
    const std::string& target() const { return target_; }
    // Detaches the overlay now; errors are reported, unlike in the destructor.
    Result<void> unmount();

  private:
    std::string target_;
};

// Mounts the overlay of `spec` at `target` (an existing directory), choosing the
// strategy above. Fails before touching the kernel when the spec is malformed
// (no lowers, relative paths, upper without work, more than kMaxOverlayLowers).
Result<OverlayMount> mount_overlay(const OverlaySpec& spec, const std::string& target);

}  // namespace berth::image

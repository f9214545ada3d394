// How deletions are spelled in layers (OCI image-spec layer.md, "Whiteouts", the
// AUFS convention) and in an overlayfs upper directory (kernel
// Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories").
#pragma once

#include <string_view>

namespace berth::image::whiteout {

// In a layer tar: ".wh.<name>" deletes <name> of the layers below.
inline constexpr std::string_view kPrefix = ".wh.";
// In a layer tar: "<dir>/.wh..wh..opq" hides everything below <dir> in lower layers.
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
// On overlayfs: a directory with this xattr set to "y" is opaque.
inline constexpr std::string_view kOpaqueXattr = "trusted.overlay.opaque";
// overlayfs keeps its own metadata under this prefix; it never travels in layers.
inline constexpr std::string_view kOverlayXattrPrefix = "trusted.overlay.";

}  // namespace berth::image::whiteout

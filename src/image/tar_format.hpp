// The tar header block layout (POSIX.1-2001 ustar, pax(1) "ustar Interchange
// Format"), shared by the reader and the writer. Internal to src/image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace berth::image::tar_format {

inline constexpr std::size_t kBlock = 512;

// Field offsets and widths within a header block.
struct Field {
    std::size_t offset, size;
};
inline constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12},
    kMtime{136, 12}, kChecksum{148, 8}, kType{156, 1}, kLinkname{157, 100}, kMagic{257, 6},
    kVersion{263, 2}, kUname{265, 32}, kGname{297, 32}, kDevmajor{329, 8}, kDevminor{337, 8},
    kPrefix{345, 155};

// Sum of the header's bytes with the checksum field counted as spaces; `as_signed`
// gives the historic signed-char variant some old tars wrote.
inline std::int64_t header_checksum(const char* block, bool as_signed) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) {
        bool in_field = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.size;
        char c = in_field ? ' ' : block[i];
        sum += as_signed ? static_cast<signed char>(c) : static_cast<unsigned char>(c);
    }
    return sum;
}

// Bytes of padding after `size` bytes of data, up to the next block boundary.
inline std::uint64_t padding(std::uint64_t size) { return (kBlock - size % kBlock) % kBlock; }

}  // namespace berth::image::tar_format

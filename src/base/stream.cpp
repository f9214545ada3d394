#include "base/stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/file.hpp"

namespace berth {

Result<std::size_t> FdReader::read(char* buf, std::size_t size) {
    for (;;) {
        ssize_t n = ::read(fd_, buf, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return sys_fail("read");
    }
}

Result<void> FdWriter::write(std::string_view data) { return write_all(fd_, data); }

Result<std::size_t> StringReader::read(char* buf, std::size_t size) {
    std::size_t n = std::min(size, data_.size());
    std::memcpy(buf, data_.data(), n);
    data_.remove_prefix(n);
    return n;
}

Result<std::size_t> TeeReader::read(char* buf, std::size_t size) {
    std::size_t n = BERTH_TRY(in_.read(buf, size));
    if (n > 0) BERTH_TRYV(copy_.write(std::string_view(buf, n)));
    return n;
}

Result<std::string_view> PeekableReader::peek(std::size_t n) {
    while (head_.size() < n) {
        char buf[512];
        std::size_t got = BERTH_TRY(in_.read(buf, std::min(sizeof buf, n - head_.size())));
        if (got == 0) break;
        head_.append(buf, got);
    }
    return std::string_view(head_).substr(0, n);
}

Result<std::size_t> PeekableReader::read(char* buf, std::size_t size) {
    if (pos_ < head_.size()) {
        std::size_t n = std::min(size, head_.size() - pos_);
        std::memcpy(buf, head_.data() + pos_, n);
        pos_ += n;
        return n;
    }
    return in_.read(buf, size);
}

Result<std::uint64_t> copy_stream(ByteReader& in, ByteWriter& out) {
    std::vector<char> buf(1 << 16);
    std::uint64_t total = 0;
    for (;;) {
        std::size_t n = BERTH_TRY(in.read(buf.data(), buf.size()));
        if (n == 0) return total;
        BERTH_TRYV(out.write(std::string_view(buf.data(), n)));
        total += n;
    }
}

Result<void> read_exact(ByteReader& in, char* buf, std::size_t size) {
    while (size > 0) {
        std::size_t n = BERTH_TRY(in.read(buf, size));
        if (n == 0) return fail("unexpected end of stream");
        buf += n;
        size -= n;
    }
    return {};
}

Result<std::string> read_all(ByteReader& in, std::size_t limit) {
    std::string out;
    char buf[1 << 14];
    for (;;) {
        std::size_t n = BERTH_TRY(in.read(buf, sizeof buf));
        if (n == 0) return out;
        if (out.size() + n > limit)
            return fail("data larger than the " + std::to_string(limit) + "-byte limit");
        out.append(buf, n);
    }
}

}  // namespace berth

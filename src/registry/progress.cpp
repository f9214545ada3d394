#include "registry/progress.hpp"

namespace berth::registry {

Result<std::size_t> ProgressReader::read(char* buf, std::size_t size) {
    std::size_t n = BERTH_TRY(in_.read(buf, size));
    done_ += static_cast<std::int64_t>(n);
    // The last read is reported whatever its size, so a bar always reaches its total.
    if (done_ - reported_ >= step_ || ((n == 0 || done_ == total_) && done_ != reported_)) {
        reported_ = done_;
        progress_({id_, status_, done_, total_});
    }
    return n;
}

}  // namespace berth::registry

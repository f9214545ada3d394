#include "base/result.hpp"

#include <cstring>

namespace berth {

std::unexpected<Error> sys_fail(std::string_view what, int err) {
    std::string msg(what);
    msg += ": ";
    msg += std::strerror(err);
    return std::unexpected(Error{err, std::move(msg)});
}

}  // namespace berth

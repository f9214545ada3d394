// Container IDs: runc's rule, so IDs that work with runc work here and nothing
// else can become a path component: [A-Za-z0-9_+.-]+, not "." or "..", <= 1024.
#pragma once

#include <string_view>

#include "base/result.hpp"

namespace berth::runtime {

Result<void> validate_container_id(std::string_view id);

}  // namespace berth::runtime

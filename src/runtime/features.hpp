// `features` (runtime-spec features.md): what this runtime build supports, as JSON.
#pragma once

#include "base/json.hpp"

namespace berth::runtime {

Json features_json();

}  // namespace berth::runtime
